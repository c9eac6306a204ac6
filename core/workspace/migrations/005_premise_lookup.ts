// Migration 5: lookup indexes the premise explorer (core/premise/, docs/premise-explorer.md)
// joins through, so one premise page reads only its own rows: match pairs by their right-hand
// premise, platform ID history by ID, interconnection applications by asset, enrolment changes by
// enrolment, bill validations by bill. Indexes only: nothing is rewritten.
export const migration005 = /* sql */ `
CREATE INDEX IF NOT EXISTS match_pair_right ON match_pair(right_premise_id);
CREATE INDEX IF NOT EXISTS platform_event_id ON platform_event(kind, platform_id);
CREATE INDEX IF NOT EXISTS interconnection_application_asset ON interconnection_application(asset_id);
CREATE INDEX IF NOT EXISTS program_enrolment_change_enrolment ON program_enrolment_change(enrolment_id);
CREATE INDEX IF NOT EXISTS bill_validation_bill ON bill_validation(bill_id);
`;

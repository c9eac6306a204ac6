// Migration 3: what the dataset framework records beyond migration 1's tables
// (docs/datasets.md): a definition's description, and per run the privacy figures that have
// no column of their own (redacted cells, withheld rows, consent date) and the duration.
// Plus the lookup indexes the premise index (core-06-index) joins through: sensors and
// program enrolments by premise, sensors by address, assets behind a usage point.
export const migration003 = /* sql */ `
ALTER TABLE dataset_definition ADD COLUMN description TEXT;
ALTER TABLE dataset_run ADD COLUMN details TEXT;   -- JSON: privacy figures, consent date, seconds
CREATE INDEX IF NOT EXISTS dataset_run_name ON dataset_run(name, version);
CREATE INDEX IF NOT EXISTS sensor_premise ON sensor(premise_id);
CREATE INDEX IF NOT EXISTS sensor_address ON sensor(address_id);
CREATE INDEX IF NOT EXISTS program_enrolment_premise ON program_enrolment(premise_id);
CREATE INDEX IF NOT EXISTS asset_usage_point ON asset(usage_point_id);
`;

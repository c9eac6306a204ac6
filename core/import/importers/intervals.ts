// intervals: interval readings of the organization's usage points, long layout
// (usage_point,start,seconds,value,unit,quality[,direction]) or wide layout (profile.wide:
// one row per usage point × local day). Needs --org. The reading and storage rules are in
// core/import/intervalFile.ts and core/import/intervalStage.ts; docs/interval-import.md
// describes them for analysts.
import { EdwError } from '../../workspace/errors';
import { isValidZone } from '../../time/zone';
import { importIntervalFile } from '../intervalFile';
import { zoneDays } from '../intervalTime';
import { QualityCodes } from '../measures';
import { NATIVE_FIELDS } from '../profile';
import { RowError, type ImportContext, type ImporterResult } from '../types';

export async function importIntervals(ctx: ImportContext): Promise<ImporterResult> {
  const org = ctx.org;
  if (!org)
    throw new EdwError(
      'usage',
      'intervals files need --org ORG: the organization whose usage points the file holds',
    );
  const find = ctx.db.prepare(
    `SELECT u.id, u.commodity, coalesce(u.time_zone, o.time_zone) AS zone
     FROM usage_point u JOIN organization o ON o.id = u.org_id
     WHERE u.org_id = ? AND u.source_key = ?`,
  );
  const quality = new QualityCodes(ctx.db, org.id, ctx.profile);
  return importIntervalFile(ctx, {
    fields: NATIVE_FIELDS.intervals ?? [],
    ownerFields: ['usage_point'],
    owner: (get) => {
      const key = get('usage_point');
      if (key === '') throw new RowError('usage_point', '', 'usage_point is empty');
      const r = find.get(org.id, key) as
        { id: number; commodity: string; zone: string } | undefined;
      if (!r)
        throw new RowError(
          'usage_point',
          key,
          `unknown usage point ${key} for ${org.code} (import the organization's cis file first)`,
        );
      if (!isValidZone(r.zone))
        throw new RowError(
          'usage_point',
          key,
          `usage point ${key} has an unknown time zone ${r.zone}`,
        );
      return {
        usagePointId: r.id,
        label: `usage point ${key}`,
        commodity: r.commodity,
        zone: zoneDays(r.zone),
        quality,
      };
    },
  });
}

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
  // A file keyed by meter number (no usage point column): the meter finds the usage point.
  const fields = (NATIVE_FIELDS.intervals ?? []).map((f) =>
    f.name === 'usage_point' ? { ...f, required: false } : f,
  );
  const meterPoints = ctx.db.prepare(
    `SELECT DISTINCT u.source_key FROM meter m
     JOIN meter_usage_point mu ON mu.meter_id = m.id JOIN usage_point u ON u.id = mu.usage_point_id
     WHERE m.org_id = ? AND m.serial = ? ORDER BY u.source_key`,
  );
  const accountPoints = ctx.db.prepare(
    `SELECT DISTINCT u.source_key FROM account a
     JOIN service_agreement sa ON sa.account_id = a.id JOIN usage_point u ON u.id = sa.usage_point_id
     WHERE a.org_id = ? AND a.account_number = ? ORDER BY u.source_key`,
  );
  return importIntervalFile(ctx, {
    fields,
    ownerFields: ['usage_point', 'meter', 'account'],
    oneOf: ['usage_point', 'meter', 'account'],
    owner: (get) => {
      let key = get('usage_point');
      const meter = key === '' ? get('meter') : '';
      if (meter !== '') {
        const ups = (meterPoints.all(org.id, meter) as { source_key: string }[]).map(
          (r) => r.source_key,
        );
        if (ups.length === 0)
          throw new RowError(
            'meter',
            meter,
            `unknown meter ${meter} for ${org.code}: no usage point has it installed (import the organization's cis file, or give a usage point column)`,
          );
        if (ups.length > 1)
          throw new RowError(
            'meter',
            meter,
            `meter ${meter} has been installed at ${ups.length} usage points (${ups.join(', ')}): give a usage point column to say which`,
          );
        key = ups[0] as string;
      }
      const account = key === '' ? get('account') : '';
      if (account !== '') {
        const ups = (accountPoints.all(org.id, account) as { source_key: string }[]).map(
          (r) => r.source_key,
        );
        if (ups.length === 0)
          throw new RowError(
            'account',
            account,
            `unknown account ${account} for ${org.code}, or it has no usage point (import the organization's cis file, or give a usage point column)`,
          );
        if (ups.length > 1)
          throw new RowError(
            'account',
            account,
            `account ${account} has ${ups.length} usage points (${ups.slice(0, 5).join(', ')}${ups.length > 5 ? ' …' : ''}): give a usage point or meter column to say which`,
          );
        key = ups[0] as string;
      }
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

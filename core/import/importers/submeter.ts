// submeter: interval data of non-utility sensors (sub-meters, thermostats…) keyed by the
// vendor's sensor id and the address the vendor gives (native layout
// sensor,vendor,address,city,state,zip,start,seconds,value,unit[,quality]).
// - vendor: an organization of kind vendor that must exist in the workspace;
// - sensor: upserted by (vendor, sensor id); its address is kept as the vendor wrote it
//   (an address row of the vendor);
// - premise: linked when the vendor's address equals the address of an existing premise after
//   normalising case, punctuation and whitespace (street, city, state, ZIP5 must all agree);
//   several premises at one address → the utility premise with a service of the sensor's
//   commodity, then the lowest id. Unmatched sensors keep premise_id NULL (the indexer links
//   them) and are counted in a finding;
// - readings: the interval stage, series keyed by sensor × reading type, as for intervals.
import type { Statement } from 'better-sqlite3';
import { isValidZone } from '../../time/zone';
import { importIntervalFile } from '../intervalFile';
import { zoneDays } from '../intervalTime';
import { QualityCodes, Units, commodityOfUnit } from '../measures';
import { NATIVE_FIELDS } from '../profile';
import { RowError, type Finding, type ImportContext, type ImporterResult } from '../types';

/** Address text for exact comparison: lower case, no punctuation, single spaces. */
export function normalizeAddressPart(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function addressKey(line1: string, city: string, state: string, zip: string): string {
  return [
    normalizeAddressPart(line1),
    normalizeAddressPart(city),
    normalizeAddressPart(state),
    zip.replace(/\D/g, '').slice(0, 5),
  ].join('|');
}

interface Candidate {
  premise: number;
  utility: boolean;
  commodities: string;
}

interface VendorRow {
  id: number;
  code: string;
  kind: string;
  time_zone: string;
}

export async function importSubmeter(ctx: ImportContext): Promise<ImporterResult> {
  const db = ctx.db;
  const p = (sql: string): Statement => db.prepare(sql);
  const s = {
    vendor: p('SELECT id, code, kind, time_zone FROM organization WHERE code = ? COLLATE NOCASE'),
    findAddress: p('SELECT id FROM address WHERE org_id = ? AND raw = ?'),
    address: p(
      'INSERT INTO address (org_id, raw, line1, city, state, zip, import_batch_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    findSensor: p('SELECT id, premise_id FROM sensor WHERE org_id = ? AND source_key = ?'),
    insertSensor: p(
      `INSERT INTO sensor (org_id, source_key, kind, premise_id, address_id, import_batch_id)
       VALUES (?, ?, 'submeter', ?, ?, ?)`,
    ),
    updateSensor: p(
      'UPDATE sensor SET address_id = ?, premise_id = coalesce(premise_id, ?) WHERE id = ?',
    ),
  };
  const units = new Units(db, ctx.profile);
  const vendors = new Map<string, { row: VendorRow; quality: QualityCodes }>();
  let premiseIndex: Map<string, Candidate[]> | null = null;
  const counts = {
    sensorsNew: 0,
    sensorsSeen: 0,
    addresses: 0,
    linked: 0,
    chosen: 0,
    unmatched: 0,
  };
  const unmatchedExamples: string[] = [];

  const index = (): Map<string, Candidate[]> => {
    if (premiseIndex) return premiseIndex;
    premiseIndex = new Map();
    const rows = db
      .prepare(
        `SELECT pa.premise_id AS premise, o.kind AS org_kind, a.line1, a.city, a.state, a.zip,
                (SELECT group_concat(DISTINCT u.commodity) FROM usage_point u WHERE u.premise_id = pa.premise_id) AS commodities
         FROM premise_address pa
         JOIN address a ON a.id = pa.address_id
         JOIN premise pr ON pr.id = pa.premise_id
         JOIN organization o ON o.id = pr.org_id`,
      )
      .all() as {
      premise: number;
      org_kind: string;
      line1: string | null;
      city: string | null;
      state: string | null;
      zip: string | null;
      commodities: string | null;
    }[];
    for (const r of rows) {
      if (!r.line1) continue;
      const key = addressKey(r.line1, r.city ?? '', r.state ?? '', r.zip ?? '');
      const list = premiseIndex.get(key) ?? [];
      if (!list.some((c) => c.premise === r.premise))
        list.push({
          premise: r.premise,
          utility: r.org_kind === 'utility',
          commodities: r.commodities ?? '',
        });
      premiseIndex.set(key, list);
    }
    return premiseIndex;
  };

  const vendorOf = (code: string) => {
    const hit = vendors.get(code.toUpperCase());
    if (hit) return hit;
    const row = s.vendor.get(code) as VendorRow | undefined;
    if (!row)
      throw new RowError(
        'vendor',
        code,
        `unknown vendor organization ${code}; add it to the workspace (kind vendor) first`,
      );
    if (row.kind !== 'vendor')
      throw new RowError(
        'vendor',
        code,
        `${row.code} is an organization of kind ${row.kind}, not a vendor: sub-meter data comes from vendors`,
      );
    if (!isValidZone(row.time_zone))
      throw new RowError('vendor', code, `${row.code} has an unknown time zone ${row.time_zone}`);
    const v = { row, quality: new QualityCodes(db, row.id, ctx.profile) };
    vendors.set(code.toUpperCase(), v);
    return v;
  };

  const result = await importIntervalFile(ctx, {
    fields: NATIVE_FIELDS.submeter ?? [],
    ownerFields: ['vendor', 'sensor'],
    owner: (get) => {
      const vendorCode = get('vendor');
      if (vendorCode === '') throw new RowError('vendor', '', 'vendor is empty');
      const sensorKey = get('sensor');
      if (sensorKey === '') throw new RowError('sensor', '', 'sensor is empty');
      const line1 = get('address');
      if (line1 === '') throw new RowError('address', '', 'address is empty');
      const v = vendorOf(vendorCode);
      const [city, state, zip] = [get('city'), get('state').toUpperCase(), get('zip')];
      let commodity = 'electricity';
      try {
        const u = get('unit');
        if (u) commodity = commodityOfUnit(units.resolve(u).store);
      } catch {
        // an unknown unit is rejected with the row's reading
      }
      const raw = [line1, city, [state, zip].filter(Boolean).join(' ')].filter(Boolean).join(', ');
      let addressId = (s.findAddress.get(v.row.id, raw) as { id: number } | undefined)?.id;
      if (addressId === undefined) {
        addressId = Number(
          s.address.run(v.row.id, raw, line1, city || null, state || null, zip || null, ctx.batchId)
            .lastInsertRowid,
        );
        counts.addresses++;
      }
      const candidates = index().get(addressKey(line1, city, state, zip)) ?? [];
      const ranked = [...candidates].sort(
        (a, b) =>
          Number(!a.commodities.split(',').includes(commodity)) -
            Number(!b.commodities.split(',').includes(commodity)) ||
          Number(!a.utility) - Number(!b.utility) ||
          a.premise - b.premise,
      );
      const premise = ranked[0]?.premise ?? null;
      const existing = s.findSensor.get(v.row.id, sensorKey) as
        { id: number; premise_id: number | null } | undefined;
      let sensorId: number;
      let linked: number | null;
      if (existing) {
        s.updateSensor.run(addressId, premise, existing.id);
        sensorId = existing.id;
        linked = existing.premise_id ?? premise;
        counts.sensorsSeen++;
      } else {
        sensorId = Number(
          s.insertSensor.run(v.row.id, sensorKey, premise, addressId, ctx.batchId).lastInsertRowid,
        );
        linked = premise;
        counts.sensorsNew++;
      }
      if (linked === null) {
        counts.unmatched++;
        if (unmatchedExamples.length < 3) unmatchedExamples.push(`${sensorKey} (${raw})`);
      } else {
        counts.linked++;
        if (existing?.premise_id == null && candidates.length > 1) counts.chosen++;
      }
      return {
        sensorId,
        label: `sensor ${sensorKey} of ${v.row.code}`,
        commodity,
        zone: zoneDays(v.row.time_zone),
        quality: v.quality,
      };
    },
    findings: () => {
      const out: Finding[] = [];
      if (counts.unmatched)
        out.push({
          kind: 'note',
          count: counts.unmatched,
          message: `${counts.unmatched} sensor${counts.unmatched === 1 ? '' : 's'} not matched to a premise (the indexer links them); e.g. ${unmatchedExamples.join('; ')}`,
        });
      if (counts.linked)
        out.push({
          kind: 'note',
          count: counts.linked,
          message: `${counts.linked} sensor${counts.linked === 1 ? '' : 's'} linked to a premise by exact address${counts.chosen ? ` (${counts.chosen} chosen among several premises at the same address: the utility premise with a service of the same commodity first)` : ''}`,
        });
      return out;
    },
    written: () => ({
      ...(counts.sensorsNew ? { sensor: counts.sensorsNew } : {}),
      ...(counts.addresses ? { address: counts.addresses } : {}),
    }),
  });
  return result;
}

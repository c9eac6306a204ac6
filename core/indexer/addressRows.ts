/**
 * Normalises rows of the address table and writes the USPS Publication 28 parts back (the
 * columns house_number … normalized), so users' own SQL and the search index see them. Used by
 * every index run (all rows) and by the search index build (rows not normalised yet).
 */
import type { Database } from 'better-sqlite3';
import { normalizeAddress, type NormalizedAddress } from './address';

export interface NormalisedRow {
  id: number;
  address: NormalizedAddress;
}

interface Row {
  id: number;
  raw: string;
  line1: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  normalized: string | null;
}

export function normaliseAddressRows(
  db: Database,
  opts: { onlyMissing?: boolean } = {},
): NormalisedRow[] {
  const update = db.prepare(
    `UPDATE address SET house_number = ?, predirectional = ?, street_name = ?, street_suffix = ?,
       postdirectional = ?, unit_type = ?, unit_number = ?, zip5 = ?, zip4 = ?, normalized = ?
     WHERE id = ?`,
  );
  const rows = db
    .prepare(
      `SELECT id, raw, line1, city, state, zip, normalized FROM address
       ${opts.onlyMissing ? 'WHERE normalized IS NULL' : ''} ORDER BY id`,
    )
    .all() as Row[];
  const blank = (s: string): string | null => s || null;
  const out = rows.map((r) => {
    const n = r.line1
      ? normalizeAddress({
          line1: r.line1,
          city: r.city ?? undefined,
          state: r.state ?? undefined,
          zip: r.zip ?? undefined,
        })
      : normalizeAddress(r.raw);
    if (n.normalized !== r.normalized) {
      update.run(
        blank(n.houseNumber),
        blank(n.predirectional),
        blank(n.streetName),
        blank(n.suffix),
        blank(n.postdirectional),
        blank(n.unitType),
        blank(n.unitNumber),
        blank(n.zip5),
        blank(n.zip4),
        n.normalized,
        r.id,
      );
    }
    return { id: r.id, address: n };
  });
  return out;
}

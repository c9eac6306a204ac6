// Helpers shared by the grid, DER and program importers: the organization a file's keys belong
// to, asset categories from the labels utilities use, and findings collected per file.
import type { Database, Statement } from 'better-sqlite3';
import { EdwError } from '../../workspace/errors';
import { RowError, type Finding, type ImportContext } from '../types';

export type Org = NonNullable<ImportContext['org']>;

/** Files whose keys are one organization's own codes need --org (or a profile naming it). */
export function requireOrg(ctx: ImportContext): Org {
  if (ctx.org) return ctx.org;
  throw new EdwError(
    'usage',
    `${ctx.kind} files need --org: the organization whose circuit, premise, asset, account and program codes the file uses`,
  );
}

export const ASSET_CATEGORIES = [
  'meter',
  'pv',
  'storage',
  'ev_charger',
  'thermostat',
  'generator',
  'transformer',
  'other',
] as const;
export type AssetCategory = (typeof ASSET_CATEGORIES)[number];

/** Words in source labels ('Meter R', 'Transfr LG', 'PV roof-R', 'Storage-R', 'EVSE L2'). */
const WORDS: Record<string, AssetCategory> = {
  meter: 'meter',
  mtr: 'meter',
  transfr: 'transformer',
  transformer: 'transformer',
  xfmr: 'transformer',
  xfrm: 'transformer',
  pv: 'pv',
  solar: 'pv',
  photovoltaic: 'pv',
  storage: 'storage',
  battery: 'storage',
  batt: 'storage',
  bess: 'storage',
  ess: 'storage',
  evse: 'ev_charger',
  ev: 'ev_charger',
  charger: 'ev_charger',
  thermostat: 'thermostat',
  tstat: 'thermostat',
  generator: 'generator',
  gen: 'generator',
  genset: 'generator',
  other: 'other',
};

/**
 * The category of a source label: a category name itself ('ev_charger', 'EV charger'), else the
 * first word of the label that names one ('Meter EV' → meter, 'Smart thermostat' → thermostat).
 */
export function assetCategory(label: string): AssetCategory | null {
  const s = label.trim().toLowerCase();
  const joined = s.replace(/[\s-]+/g, '_');
  if ((ASSET_CATEGORIES as readonly string[]).includes(joined)) return joined as AssetCategory;
  for (const word of s.split(/[^a-z0-9]+/)) {
    const c = WORDS[word];
    if (c) return c;
  }
  return null;
}

/** Premise ids by the organization's premise key; unknown premises are a row error. */
export class Premises {
  private readonly cache = new Map<string, number>();
  private readonly stmt: Statement;

  constructor(
    db: Database,
    private readonly org: Org,
    private readonly hint: string,
  ) {
    this.stmt = db.prepare('SELECT id FROM premise WHERE org_id = ? AND source_key = ?');
  }

  id(key: string, column = 'premise'): number {
    let id = this.cache.get(key);
    if (id === undefined) {
      const row = this.stmt.get(this.org.id, key) as { id: number } | undefined;
      if (!row)
        throw new RowError(
          column,
          key,
          `unknown premise ${key} for ${this.org.code}; ${this.hint}`,
        );
      id = row.id;
      this.cache.set(key, id);
    }
    return id;
  }
}

/**
 * Findings of one file: up to `limit` of each kind and subject individually, then one summary
 * per kind, so a file with thousands of oddities still returns a short result.
 */
export class Findings {
  private readonly list: Finding[] = [];
  private readonly overflow = new Map<Finding['kind'], number>();

  constructor(private readonly limit = 50) {}

  add(f: Finding): void {
    const same = this.list.filter((x) => x.kind === f.kind).length;
    if (same < this.limit) this.list.push(f);
    else this.overflow.set(f.kind, (this.overflow.get(f.kind) ?? 0) + 1);
  }

  all(): Finding[] {
    const more = [...this.overflow].map(([kind, count]): Finding => ({
      kind,
      count,
      message: `${count} more ${kind} findings like the ones above`,
    }));
    return [...this.list, ...more];
  }
}

/** Entities touched (distinct ids per table) and rows added, for ImporterResult.written. */
export class Written {
  private readonly ids = new Map<string, Set<number>>();
  private readonly rows: Record<string, number> = {};

  touch(table: string, id: number): void {
    let s = this.ids.get(table);
    if (!s) this.ids.set(table, (s = new Set()));
    s.add(id);
  }

  add(table: string, n = 1): void {
    this.rows[table] = (this.rows[table] ?? 0) + n;
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = { ...this.rows };
    for (const [table, s] of this.ids) out[table] = (out[table] ?? 0) + s.size;
    return out;
  }
}

// Units, reading types and quality codes of imported readings, shared by the intervals,
// submeter and reads importers.
//
// Units: a source spelling maps through the profile's `units`, then the workspace `unit`
// table (exact code, then case-insensitive, then common spellings such as "therms" or
// "gallons"). Each unit is stored in one storage unit per quantity, by an exact power of ten:
// Wh and MWh as kWh, W and MW as kW, MMBtu (dekatherm) as therm, MCF and ft3 as CCF; therm,
// CCF, gal and m3 are stored as they are. A unit must fit the commodity of the usage point
// (kWh for electricity, therm or CCF for gas, gal or CCF for water…).
import type { Database, Statement } from 'better-sqlite3';
import { QUALITY, QUALITY_NAMES, type QualityName } from '../metering/quality';
import { RowError } from './types';
import type { Profile } from './profile';

export type Direction = 'forward' | 'reverse' | 'net' | 'total';

export interface UnitInfo {
  /** The workspace unit code the source unit means. */
  code: string;
  /** The unit values are stored in. */
  store: string;
  /** stored = source × 10^exp (exact decimal shift). */
  exp: number;
  measure: 'energy' | 'demand' | 'volume' | 'other';
  accumulation: 'delta' | 'indicating';
  commodities: readonly string[] | null;
}

const STORAGE: Record<string, [store: string, exp: number]> = {
  Wh: ['kWh', -3],
  kWh: ['kWh', 0],
  MWh: ['kWh', 3],
  W: ['kW', -3],
  kW: ['kW', 0],
  MW: ['kW', 3],
  therm: ['therm', 0],
  MMBtu: ['therm', 1],
  CCF: ['CCF', 0],
  MCF: ['CCF', 1],
  ft3: ['CCF', -2],
  gal: ['gal', 0],
  m3: ['m3', 0],
};

const FITS: Record<string, readonly string[]> = {
  kWh: ['electricity'],
  kW: ['electricity'],
  kVArh: ['electricity'],
  PF: ['electricity'],
  V: ['electricity'],
  therm: ['gas', 'steam', 'propane', 'oil'],
  CCF: ['gas', 'water', 'steam', 'propane'],
  gal: ['water', 'propane', 'oil'],
  m3: ['gas', 'water'],
};

const SPELLINGS: Record<string, string> = {
  therms: 'therm',
  thm: 'therm',
  thms: 'therm',
  dth: 'MMBtu',
  dekatherm: 'MMBtu',
  dekatherms: 'MMBtu',
  mmbtu: 'MMBtu',
  gallon: 'gal',
  gallons: 'gal',
  gals: 'gal',
  cf: 'ft3',
  'ft³': 'ft3',
  'cu ft': 'ft3',
  hcf: 'CCF',
  'm³': 'm3',
  kvarh: 'kVArh',
  kwhr: 'kWh',
  'kw-h': 'kWh',
};

/** The commodity a unit implies when nothing else says (sensors have no usage point). */
export function commodityOfUnit(store: string): string {
  if (store === 'therm' || store === 'CCF' || store === 'm3') return 'gas';
  if (store === 'gal') return 'water';
  return 'electricity';
}

/** Default unit when a row gives none: the commodity's usual energy or volume unit. */
export const DEFAULT_UNIT: Record<string, string> = {
  electricity: 'kWh',
  gas: 'therm',
  water: 'gal',
  steam: 'therm',
  propane: 'gal',
  oil: 'gal',
};

interface UnitRow {
  code: string;
  quantity: string;
}

export class Units {
  private readonly rows = new Map<string, UnitRow>();
  private readonly lower = new Map<string, string>();
  private readonly cache = new Map<string, UnitInfo>();

  constructor(
    db: Database,
    private readonly profile: Profile,
  ) {
    for (const r of db.prepare('SELECT code, quantity FROM unit').all() as UnitRow[]) {
      this.rows.set(r.code, r);
      this.lower.set(r.code.toLowerCase(), r.code);
    }
  }

  /** Resolve a source unit; throws RowError naming the column when it is unknown. */
  resolve(text: string, column = 'unit'): UnitInfo {
    const hit = this.cache.get(text);
    if (hit) return hit;
    const mapped =
      this.profile.units[text] ??
      Object.entries(this.profile.units).find(
        ([k]) => k.toLowerCase() === text.toLowerCase(),
      )?.[1] ??
      text;
    const code =
      (this.rows.has(mapped) ? mapped : undefined) ??
      this.lower.get(mapped.toLowerCase()) ??
      SPELLINGS[mapped.toLowerCase()];
    const row = code === undefined ? undefined : this.rows.get(code);
    if (!row)
      throw new RowError(
        column,
        text,
        `unknown unit "${text}": map it in the profile's units (known: ${[...this.rows.keys()].join(', ')})`,
      );
    const [store, exp] = STORAGE[row.code] ?? [row.code, 0];
    const info: UnitInfo = {
      code: row.code,
      store,
      exp,
      measure:
        store === 'kW'
          ? 'demand'
          : row.quantity === 'energy'
            ? 'energy'
            : row.quantity === 'volume'
              ? 'volume'
              : 'other',
      accumulation:
        row.quantity === 'power' || row.quantity === 'ratio' || row.quantity === 'voltage'
          ? 'indicating'
          : 'delta',
      commodities: FITS[store] ?? null,
    };
    this.cache.set(text, info);
    return info;
  }
}

/** Throws unless the unit fits the commodity. */
export function checkFit(u: UnitInfo, commodity: string, subject: string, text: string): void {
  if (u.commodities && !u.commodities.includes(commodity))
    throw new RowError(
      'unit',
      text,
      `unit ${u.code} does not fit ${commodity} ${subject} (expected ${Object.entries(FITS)
        .filter(([, c]) => c.includes(commodity))
        .map(([k]) => k)
        .join(', ')})`,
    );
}

const DIRECTIONS: Record<string, Direction> = {
  '': 'forward',
  forward: 'forward',
  delivered: 'forward',
  consumed: 'forward',
  import: 'forward',
  reverse: 'reverse',
  received: 'reverse',
  export: 'reverse',
  generated: 'reverse',
  net: 'net',
  total: 'total',
};

export function direction(text: string): Direction {
  const d = DIRECTIONS[text.toLowerCase()];
  if (!d)
    throw new RowError(
      'direction',
      text,
      `direction must be forward (delivered), reverse (received) or net`,
    );
  return d;
}

function intervalName(seconds: number | null): string {
  if (seconds === null) return 'register';
  const names: Record<number, string> = {
    60: '1-minute',
    300: '5-minute',
    600: '10-minute',
    900: '15-minute',
    1800: '30-minute',
    3600: 'hourly',
    86400: 'daily',
  };
  return names[seconds] ?? (seconds % 60 === 0 ? `${seconds / 60}-minute` : `${seconds}-second`);
}

const COMMODITY_NAMES: Record<string, string> = {
  electricity: 'Electricity',
  gas: 'Gas',
  water: 'Water',
  steam: 'Steam',
  propane: 'Propane',
  oil: 'Oil',
};

export interface ReadingTypeKey {
  commodity: string;
  unit: string;
  direction: Direction;
  seconds: number | null;
  accumulation: string;
  measure: string;
}

/** Reading types by their unique key; a missing one is created (inside the import). */
export class ReadingTypes {
  private readonly find: Statement;
  private readonly insert: Statement;
  private readonly cache = new Map<string, number>();
  created = 0;

  constructor(db: Database) {
    this.find = db.prepare(
      `SELECT id FROM reading_type WHERE commodity = ? AND unit = ? AND flow_direction = ?
         AND interval_seconds IS ? AND accumulation = ? AND measure = ?`,
    );
    this.insert = db.prepare(
      `INSERT INTO reading_type (commodity, unit, flow_direction, interval_seconds, accumulation, measure, name)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** `intervalLabel` names the interval in a created type's name (default: from its seconds). */
  id(k: ReadingTypeKey, intervalLabel?: string): number {
    const key = `${k.commodity}|${k.unit}|${k.direction}|${k.seconds}|${k.accumulation}|${k.measure}`;
    let id = this.cache.get(key);
    if (id !== undefined) return id;
    const args = [k.commodity, k.unit, k.direction, k.seconds, k.accumulation, k.measure];
    const row = this.find.get(...args) as { id: number } | undefined;
    if (row) id = row.id;
    else {
      const name = [
        COMMODITY_NAMES[k.commodity] ?? k.commodity,
        k.unit,
        intervalLabel ?? intervalName(k.seconds),
        k.measure === 'demand' ? 'demand' : '',
        k.direction === 'reverse' ? 'received' : k.direction === 'forward' ? '' : k.direction,
      ]
        .filter(Boolean)
        .join(' ');
      id = Number(this.insert.run(...args, name).lastInsertRowid);
      this.created++;
    }
    this.cache.set(key, id);
    return id;
  }
}

const QUALITY_WORDS: Record<string, number> = {
  '': QUALITY.valid,
  a: QUALITY.valid,
  actual: QUALITY.valid,
  ok: QUALITY.valid,
  e: QUALITY.estimated,
  est: QUALITY.estimated,
  estimate: QUALITY.estimated,
};
for (const n of QUALITY_NAMES) QUALITY_WORDS[n] = QUALITY[n];

/**
 * Source quality code → normalised code: the profile's quality map, then the organization's
 * quality_map table, then the normalised names (valid, estimated, edited, missing, failed;
 * A = actual, E = estimated). Unknown codes throw RowError.
 */
export class QualityCodes {
  private readonly org = new Map<string, number>();
  private readonly orgLower = new Map<string, number>();
  private readonly cache = new Map<string, number>();

  constructor(
    db: Database,
    orgId: number | null,
    private readonly profile: Profile,
  ) {
    if (orgId !== null) {
      const rows = db
        .prepare('SELECT source_code, quality FROM quality_map WHERE org_id = ?')
        .all(orgId) as { source_code: string; quality: number }[];
      for (const r of rows) {
        this.org.set(r.source_code, r.quality);
        this.orgLower.set(r.source_code.toLowerCase(), r.quality);
      }
    }
  }

  code(text: string, column = 'quality'): number {
    const hit = this.cache.get(text);
    if (hit !== undefined) return hit;
    const named = this.profile.quality[text] as QualityName | undefined;
    const lower = text.toLowerCase();
    const q =
      (named !== undefined ? QUALITY[named] : undefined) ??
      this.org.get(text) ??
      this.orgLower.get(lower) ??
      QUALITY_WORDS[lower];
    if (q === undefined)
      throw new RowError(
        column,
        text,
        `unknown quality code "${text}": map it in the profile's quality map or the organization's quality codes`,
      );
    this.cache.set(text, q);
    return q;
  }
}

/** Exact decimal text × 10^exp ("1500", -3 → "1.500"; "1.25", 1 → "12.5"). */
export function shiftDecimal(text: string, exp: number): string {
  if (exp === 0) return text;
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const dot = body.indexOf('.');
  const intPart = dot < 0 ? body : body.slice(0, dot);
  const fracPart = dot < 0 ? '' : body.slice(dot + 1);
  let digits = intPart + fracPart;
  let point = intPart.length + exp;
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const i = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const f = digits.slice(point);
  const out = f ? `${i}.${f}` : i;
  return negative && /[1-9]/.test(out) ? `-${out}` : out;
}

/** Canonical form of a decimal text for equality ("1.50" = "1.5", "007" = "7", "-0" = "0"). */
export function canonicalDecimal(text: string): string {
  let s = text.trim();
  const negative = s.startsWith('-');
  if (negative || s.startsWith('+')) s = s.slice(1);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  s = s.replace(/^0+(?=\d)/, '');
  if (s === '' || /^0*(\.0*)?$/.test(s)) return '0';
  return negative ? `-${s}` : s;
}

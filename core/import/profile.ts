// Mapping profiles: how one organization's file layout maps onto edw's native layout of a kind.
// A profile names, per native field, the source header (or a constant default), plus units,
// time zone, date format and source quality codes. Profiles are JSON, saved per organization.
import { z } from 'zod';
import { QUALITY_NAMES } from '../metering/quality';

export const IMPORT_KINDS = [
  'cis',
  'intervals',
  'reads',
  'greenbutton',
  'tariff',
  'topology',
  'der',
  'programs',
  'submeter',
  'bill',
] as const;
export const ImportKind = z.enum(IMPORT_KINDS);
export type ImportKind = z.infer<typeof ImportKind>;

export const DATE_FORMATS = ['iso', 'mdy', 'dmy', 'ymd'] as const;

export const Profile = z.object({
  name: z.string().min(1),
  kind: ImportKind,
  org: z.string().optional(),
  description: z.string().optional(),
  /** native field → source header. */
  columns: z.record(z.string(), z.string()).default({}),
  /** native field → constant used when the file has no such column (e.g. unit = kWh). */
  defaults: z.record(z.string(), z.string()).default({}),
  /** source unit spelling → unit code of the workspace (e.g. "KWH" → "kWh"). */
  units: z.record(z.string(), z.string()).default({}),
  /** IANA zone for local timestamps without an offset; default: the organization's zone. */
  timeZone: z.string().optional(),
  /** Order of day, month and year in dates that are not ISO 8601. */
  dateFormat: z.enum(DATE_FORMATS).default('iso'),
  /** source quality code → normalised quality name. */
  quality: z.record(z.string(), z.enum(QUALITY_NAMES as [string, ...string[]])).default({}),
  /** Wide interval layout: one row per day with value columns (e.g. 24 or 96). */
  wide: z
    .object({
      /**
       * The value columns' headers in slot order; omitted: every unmapped column whose header
       * holds a digit (HE01, 1:00, KWH_0015, Interval 1 …), in file order.
       */
      valueColumns: z.array(z.string()).min(1).optional(),
      seconds: z.number().int().positive(),
      /**
       * What column j means: `clock` (default) the wall-clock slot j of the local day (DST
       * days: skipped hour empty, repeated hour in extra columns); `elapsed` the j-th interval
       * since local midnight (a 23-hour day fills 23 columns, a 25-hour day 25).
       */
      slots: z.enum(['clock', 'elapsed']).default('clock'),
    })
    .optional(),
  /** Interval files: whether the time stamps are interval starts or ends (hour ending). */
  timestamps: z.enum(['start', 'end']).optional(),
  /** Interval files: decimal separator of values (`,` in many European exports). */
  decimalSeparator: z.enum(['.', ',']).optional(),
  /**
   * Interval files: channel code → what it measures (unit and/or direction), or `skip` to
   * leave that channel out (counted). A code not listed is read from its name when it names a
   * unit (kWh Delivered, KVARH_REC), else rejected.
   */
  channels: z
    .record(
      z.string(),
      z.object({
        unit: z.string().optional(),
        direction: z.enum(['forward', 'reverse', 'net', 'total']).optional(),
        skip: z.boolean().optional(),
      }),
    )
    .default({}),
});
export type Profile = z.infer<typeof Profile>;
export type ProfileInput = z.input<typeof Profile>;

export interface FieldSpec {
  name: string;
  required: boolean;
  description: string;
  /** Other spellings seen in utility exports, used to suggest a mapping from headers. */
  aliases?: readonly string[];
}

/** Native layout of each CSV kind (DESIGN.md "edw native CSV layouts"). */
export const NATIVE_FIELDS: Partial<Record<ImportKind, readonly FieldSpec[]>> = {
  cis: [
    {
      name: 'org',
      required: false,
      description: 'organization code (default: --org)',
      aliases: ['utility', 'company'],
    },
    {
      name: 'account',
      required: true,
      description: 'account number',
      aliases: ['account number', 'acct', 'account_no', 'acct_num', 'accountid'],
    },
    {
      name: 'customer',
      required: false,
      description: 'customer name (PII)',
      aliases: ['customer name', 'name', 'cust_name'],
    },
    {
      name: 'premise',
      required: true,
      description: 'premise / service location key',
      aliases: ['premise id', 'premise_id', 'service location', 'location', 'prem'],
    },
    {
      name: 'address',
      required: true,
      description: 'service street address',
      aliases: ['service address', 'street', 'address1', 'addr'],
    },
    {
      name: 'city',
      required: false,
      description: 'city or town',
      aliases: ['town', 'municipality'],
    },
    { name: 'state', required: false, description: 'state', aliases: ['st'] },
    {
      name: 'zip',
      required: false,
      description: 'ZIP or ZIP+4',
      aliases: ['zipcode', 'zip code', 'postal code', 'postal'],
    },
    {
      name: 'usage_point',
      required: true,
      description: 'usage point / service point id',
      aliases: ['service point', 'sdp', 'usage point', 'usagepoint', 'service_point_id', 'esiid'],
    },
    {
      name: 'meter',
      required: false,
      description: 'meter number',
      aliases: ['meter number', 'meter_no', 'meter id', 'meter_id'],
    },
    {
      name: 'commodity',
      required: true,
      description: 'electricity | gas | water',
      aliases: ['service type', 'fuel', 'service'],
    },
    {
      name: 'rate_class',
      required: false,
      description: 'rate class code',
      aliases: ['rate', 'rate code', 'tariff', 'rate_code'],
    },
    {
      name: 'start_date',
      required: true,
      description: 'service agreement start',
      aliases: ['start', 'start date', 'move in', 'from'],
    },
    {
      name: 'end_date',
      required: false,
      description: 'service agreement end',
      aliases: ['end', 'end date', 'move out', 'to'],
    },
  ],
  intervals: [
    {
      name: 'usage_point',
      required: true,
      description: 'usage point id',
      aliases: ['service point', 'meter', 'sdp', 'usage point', 'usagepoint'],
    },
    {
      name: 'start',
      required: true,
      description: 'interval start (ISO 8601, offset or local)',
      aliases: ['timestamp', 'time', 'datetime', 'interval start', 'start time', 'read time'],
    },
    {
      name: 'seconds',
      required: false,
      description: 'interval length in seconds',
      aliases: ['duration', 'interval', 'interval length'],
    },
    {
      name: 'value',
      required: true,
      description: 'reading value',
      aliases: ['usage', 'kwh', 'read value', 'readvalue', 'consumption', 'quantity'],
    },
    {
      name: 'unit',
      required: false,
      description: 'unit (kWh, Wh, kW, therm, CCF…)',
      aliases: ['uom', 'units'],
    },
    {
      name: 'quality',
      required: false,
      description: 'source quality code',
      aliases: ['qual', 'quality code', 'flag', 'status'],
    },
    {
      name: 'direction',
      required: false,
      description: 'flow: forward (delivered, default) | reverse (received) | net',
      aliases: ['flow', 'flow direction', 'channel direction'],
    },
    {
      name: 'account',
      required: false,
      description:
        'account number (finds the usage point when the file has no usage point or meter)',
      aliases: ['account number', 'acct', 'account_no'],
    },
    {
      name: 'meter',
      required: false,
      description: 'meter number (finds the usage point when the file has none)',
      aliases: ['meter number', 'meter_no', 'meter id', 'meter_id'],
    },
    {
      name: 'time',
      required: false,
      description: 'time of day when the date is in its own column',
      aliases: ['hour', 'time of day'],
    },
    {
      name: 'channel',
      required: false,
      description: 'channel / register code (see the profile channels)',
      aliases: ['channel', 'register', 'channel id', 'measurement'],
    },
    {
      name: 'multiplier',
      required: false,
      description: 'meter multiplier applied to each value',
      aliases: ['mult', 'multiplier', 'meter multiplier'],
    },
    {
      name: 'dst',
      required: false,
      description: 'daylight-time flag (Y/N, EDT/EST) for repeated fall-back times',
      aliases: ['dst flag', 'dst_flag', 'daylight'],
    },
  ],
  reads: [
    {
      name: 'usage_point',
      required: true,
      description: 'usage point id',
      aliases: ['service point', 'usage point'],
    },
    {
      name: 'meter',
      required: true,
      description: 'meter number',
      aliases: ['meter number', 'meter_no'],
    },
    {
      name: 'read_date',
      required: true,
      description: 'date of the read',
      aliases: ['date', 'read date'],
    },
    {
      name: 'reading',
      required: true,
      description: 'register value',
      aliases: ['read', 'register', 'value'],
    },
    { name: 'unit', required: false, description: 'unit', aliases: ['uom'] },
    {
      name: 'multiplier',
      required: false,
      description: 'meter multiplier',
      aliases: ['mult', 'constant'],
    },
    {
      name: 'estimated',
      required: false,
      description: 'estimated flag (Y/N, 1/0, true/false)',
      aliases: ['est', 'estimate'],
    },
  ],
  submeter: [
    {
      name: 'sensor',
      required: true,
      description: 'sensor id',
      aliases: ['device', 'device id', 'sensor id'],
    },
    {
      name: 'vendor',
      required: true,
      description: 'vendor organization code',
      aliases: ['provider'],
    },
    { name: 'address', required: true, description: 'street address', aliases: ['street'] },
    { name: 'city', required: false, description: 'city', aliases: ['town'] },
    { name: 'state', required: false, description: 'state' },
    { name: 'zip', required: false, description: 'ZIP', aliases: ['zipcode'] },
    {
      name: 'start',
      required: true,
      description: 'interval start',
      aliases: ['timestamp', 'time'],
    },
    {
      name: 'seconds',
      required: true,
      description: 'interval length in seconds',
      aliases: ['duration'],
    },
    { name: 'value', required: true, description: 'value', aliases: ['kwh', 'usage'] },
    { name: 'unit', required: true, description: 'unit', aliases: ['uom'] },
    {
      name: 'quality',
      required: false,
      description: 'source quality code (default: valid)',
      aliases: ['qual', 'flag'],
    },
  ],
  topology: [
    {
      name: 'circuit',
      required: true,
      description: 'circuit code',
      aliases: ['feeder', 'circuit id'],
    },
    { name: 'substation', required: false, description: 'substation code', aliases: ['sub'] },
    { name: 'section', required: false, description: 'section code', aliases: ['section id'] },
    { name: 'node', required: false, description: 'node code', aliases: ['node id'] },
    { name: 'premise', required: false, description: 'premise key', aliases: ['premise id'] },
    { name: 'asset', required: false, description: 'asset key', aliases: ['asset id'] },
    {
      name: 'asset_kind',
      required: false,
      description: 'asset category',
      aliases: ['category', 'asset category'],
    },
    { name: 'transformer_kva', required: false, description: 'transformer kVA', aliases: ['kva'] },
  ],
  der: [
    { name: 'asset', required: true, description: 'asset key', aliases: ['asset id', 'der id'] },
    { name: 'premise', required: true, description: 'premise key', aliases: ['premise id'] },
    {
      name: 'kind',
      required: true,
      description: 'pv | storage | ev_charger | thermostat | generator',
      aliases: ['type', 'technology'],
    },
    {
      name: 'kw',
      required: false,
      description: 'nameplate kW',
      aliases: ['kw ac', 'capacity kw', 'nameplate'],
    },
    {
      name: 'kwh',
      required: false,
      description: 'nameplate kWh (storage)',
      aliases: ['capacity kwh'],
    },
    { name: 'circuit', required: false, description: 'circuit code', aliases: ['feeder'] },
    {
      name: 'application',
      required: false,
      description: 'interconnection application number',
      aliases: ['application id', 'queue id'],
    },
    {
      name: 'status',
      required: false,
      description: 'applied | studied | approved | installed | pto | withdrawn',
    },
    { name: 'status_date', required: false, description: 'date of the status', aliases: ['date'] },
  ],
  programs: [
    {
      name: 'program',
      required: true,
      description: 'program code',
      aliases: ['program name', 'program id'],
    },
    {
      name: 'account',
      required: false,
      description: 'account number',
      aliases: ['account number'],
    },
    { name: 'premise', required: false, description: 'premise key', aliases: ['premise id'] },
    { name: 'status', required: true, description: 'enrolled | pending | completed | ended' },
    {
      name: 'effective_date',
      required: true,
      description: 'effective date',
      aliases: ['date', 'effective'],
    },
    {
      name: 'change',
      required: true,
      description: 'add | update | end',
      aliases: ['action', 'change type'],
    },
  ],
};

const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** Suggest native field → header from a file's headers (exact names, then known aliases). */
export function suggestMapping(
  kind: ImportKind,
  headers: readonly string[],
): Record<string, string> {
  const fields = NATIVE_FIELDS[kind] ?? [];
  const byNorm = new Map(headers.map((h) => [norm(h), h]));
  const out: Record<string, string> = {};
  const used = new Set<string>();
  for (const f of fields) {
    for (const candidate of [f.name, ...(f.aliases ?? [])]) {
      const h = byNorm.get(norm(candidate));
      if (h !== undefined && !used.has(h)) {
        out[f.name] = h;
        used.add(h);
        break;
      }
    }
  }
  return out;
}

/** The built-in profile of a kind: native headers, ISO dates, quality codes by name. */
export function nativeProfile(kind: ImportKind): Profile {
  const columns: Record<string, string> = {};
  for (const f of NATIVE_FIELDS[kind] ?? []) columns[f.name] = f.name;
  return Profile.parse({ name: 'native', kind, columns });
}

// Number, unit and date formatting shared by every page (en-US, thousands separators).

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** 1234567 → "1,234,567"; non-numbers → "—". */
export function formatInt(v: unknown): string {
  return isNumber(v) ? integer.format(v) : '—';
}

/** Up to two decimals, thousands separators. */
export function formatNumber(v: unknown, digits = 2): string {
  if (!isNumber(v)) return '—';
  if (digits === 2) return decimal.format(v);
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(v);
}

/** 1234567 → "1.2M" (axis labels). */
export function formatCompact(v: unknown): string {
  return isNumber(v) ? compact.format(v) : '—';
}

const UNIT_LABELS: Record<string, [singular: string, plural: string]> = {
  therm: ['therm', 'therms'],
  therms: ['therm', 'therms'],
  ccf: ['CCF', 'CCF'],
  kwh: ['kWh', 'kWh'],
  wh: ['Wh', 'Wh'],
  mwh: ['MWh', 'MWh'],
  kw: ['kW', 'kW'],
  gal: ['gal', 'gal'],
};

/** Display label of a unit of measure: "therm" → "therms", "kwh" → "kWh". */
export function unitLabel(unit: string, plural = true): string {
  const known = UNIT_LABELS[unit.toLowerCase()];
  return known ? known[plural ? 1 : 0] : unit;
}

/** 1234.5 + "kWh" → "1,234.5 kWh". */
export function formatQuantity(v: unknown, unit: string, digits = 0): string {
  if (!isNumber(v)) return '—';
  return `${formatNumber(v, digits)} ${unitLabel(unit, v !== 1)}`;
}

/** Interval length in seconds → "15 min", "1 h", "1 day". */
export function formatInterval(seconds: number | null | undefined): string {
  if (!isNumber(seconds)) return '—';
  if (seconds % 86400 === 0) return seconds === 86400 ? '1 day' : `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** ISO timestamp → "2025-01-31 14:02" (local time); passthrough when unparsable. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** "2025-03" → "Mar 2025". */
export function formatMonth(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  const names = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ];
  return `${names[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}

/** "usage points" → "Usage points". */
export function capitalize(s: string): string {
  return s.length ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** 1536 → "1.5 KB", 5_000_000 → "4.8 MB" (binary multiples, labelled KB/MB/GB as users expect). */
export function formatBytes(v: unknown): string {
  if (!isNumber(v)) return '—';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let n = v;
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0
    ? `${integer.format(n)} ${n === 1 ? 'byte' : 'bytes'}`
    : `${decimal.format(n)} ${units[i]}`;
}

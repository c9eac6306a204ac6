// Bills page model: the hand-entered bill form (state, validation, the bill JSON it becomes),
// money display (micro-dollars → cents, half-up), the histogram chart option.
import type { Output } from '../../api';
import type { ChartOption } from '../../components/echarts';

export type Validation = Output<'bill.validate'>;
export type ValidationLine = Validation['lines'][number];
export type Comparison = Output<'bill.compare'>;
export type CompareRow = Comparison['customers'][number];
export type BillSummary = Output<'bill.list'>[number];
export type ComputedBill = Output<'bill.compute'>;

export interface LineForm {
  key: number;
  code: string;
  description: string;
  quantity: string;
  unit: string;
  rate: string;
  amount: string;
}

export interface BillForm {
  org: string;
  account: string;
  tariff: string;
  periodFrom: string;
  periodTo: string;
  issuedOn: string;
  meterSerial: string;
  readPrevious: string;
  readPresent: string;
  usage: string;
  usageUnit: string;
  total: string;
  lines: LineForm[];
}

let lineKey = 1;
export function emptyLine(): LineForm {
  return {
    key: lineKey++,
    code: '',
    description: '',
    quantity: '',
    unit: '',
    rate: '',
    amount: '',
  };
}

export function emptyForm(): BillForm {
  return {
    org: '',
    account: '',
    tariff: '',
    periodFrom: '',
    periodTo: '',
    issuedOn: '',
    meterSerial: '',
    readPrevious: '',
    readPresent: '',
    usage: '',
    usageUnit: 'kWh',
    total: '',
    lines: [emptyLine()],
  };
}

/** A form prefilled from a recomputed bill: the lines as the tariff charges them, amounts empty. */
export function formFromComputed(b: ComputedBill): BillForm {
  return {
    ...emptyForm(),
    org: b.org,
    account: b.account,
    tariff: b.tariff.code,
    periodFrom: b.from,
    periodTo: b.to,
    usage: b.determinants.usage,
    usageUnit: b.determinants.unit,
    lines: b.lines.map((l) => ({
      ...emptyLine(),
      code: l.code,
      description: l.description,
      quantity: l.quantity,
      unit: l.unit ?? '',
      rate: l.rate.includes('/') ? '' : l.rate,
    })),
  };
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const MONEY = /^-?\d+(\.\d{1,6})?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function validDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Field → message; line fields are `lines.<i>.<field>`. */
export type FormErrors = Record<string, string>;

/** Exact integer micro-dollars of a money text (already checked against MONEY). */
export function moneyMicros(s: string): number {
  const t = s.trim();
  const neg = t.startsWith('-');
  const [w = '0', f = ''] = (neg ? t.slice(1) : t).split('.');
  const v = Number(w) * 1_000_000 + Number(f.padEnd(6, '0'));
  return neg ? -v : v;
}

export function validateForm(f: BillForm): FormErrors {
  const e: FormErrors = {};
  const need = (k: keyof BillForm, v: string, what: string) => {
    if (!v.trim()) e[k] = `${what} is required`;
  };
  need('account', f.account, 'Account');
  if (!f.periodFrom.trim()) e.periodFrom = 'From date is required';
  else if (!validDay(f.periodFrom.trim())) e.periodFrom = 'Must be a date YYYY-MM-DD';
  if (!f.periodTo.trim()) e.periodTo = 'To date is required';
  else if (!validDay(f.periodTo.trim())) e.periodTo = 'Must be a date YYYY-MM-DD';
  if (!e.periodFrom && !e.periodTo && f.periodTo.trim() <= f.periodFrom.trim())
    e.periodTo = 'Must be after the from date (the closing read date)';
  if (f.issuedOn.trim() && !validDay(f.issuedOn.trim())) e.issuedOn = 'Must be a date YYYY-MM-DD';
  for (const k of ['readPrevious', 'readPresent', 'usage'] as const)
    if (f[k].trim() && !DECIMAL.test(f[k].trim())) e[k] = 'Must be a decimal number';
  if (!f.total.trim()) e.total = 'Total is required';
  else if (!MONEY.test(f.total.trim())) e.total = 'Dollars with up to 6 decimals, e.g. 106.51';
  if (f.lines.length === 0) e.lines = 'Add at least one line';
  f.lines.forEach((l, i) => {
    const p = `lines.${i}.`;
    if (!l.description.trim()) e[`${p}description`] = 'Description is required';
    if (!l.amount.trim()) e[`${p}amount`] = 'Amount is required';
    else if (!MONEY.test(l.amount.trim())) e[`${p}amount`] = 'Dollars, e.g. 37.60';
    if (l.quantity.trim() && !DECIMAL.test(l.quantity.trim()))
      e[`${p}quantity`] = 'Must be a decimal number';
    if (l.rate.trim() && !DECIMAL.test(l.rate.trim())) e[`${p}rate`] = 'Must be a decimal number';
  });
  return e;
}

/** The lines' sum when every amount is valid (a hint: the validator reports a mismatch too). */
export function linesSum(f: BillForm): number | null {
  let s = 0;
  for (const l of f.lines) {
    if (!MONEY.test(l.amount.trim())) return null;
    s += moneyMicros(l.amount);
  }
  return s;
}

/** The edw bill JSON of a valid form (decimal strings as typed; empty fields left out). */
export function formToBill(f: BillForm): Record<string, unknown> {
  const opt = (k: string, v: string) => (v.trim() ? { [k]: v.trim() } : {});
  return {
    ...opt('org', f.org),
    account: f.account.trim(),
    ...opt('tariff', f.tariff),
    period_from: f.periodFrom.trim(),
    period_to: f.periodTo.trim(),
    ...opt('issued_on', f.issuedOn),
    ...opt('meter_serial', f.meterSerial),
    ...opt('read_previous', f.readPrevious),
    ...opt('read_present', f.readPresent),
    ...opt('usage', f.usage),
    ...opt('usage_unit', f.usageUnit),
    total: f.total.trim(),
    lines: f.lines.map((l) => ({
      ...opt('code', l.code),
      description: l.description.trim(),
      ...opt('quantity', l.quantity),
      ...opt('unit', l.unit),
      ...opt('rate', l.rate),
      amount: l.amount.trim(),
    })),
  };
}

/** Micro-dollars → "$1,234.57" (cents, half-up away from zero); "—" for null. */
export function money(micros: number | null | undefined, sign = false): string {
  if (micros === null || micros === undefined) return '—';
  const neg = micros < 0;
  const cents = Math.floor((Math.abs(micros) + 5_000) / 10_000);
  const text = `$${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;
  if (neg && cents !== 0) return `−${text}`;
  return sign && cents !== 0 ? `+${text}` : text;
}

/** "12.473884" (dollars text) → micro-dollars. */
export function dollarsMicros(d: string | null): number | null {
  return d === null ? null : moneyMicros(d);
}

export function percent(p: number | null | undefined, sign = true): string {
  if (p === null || p === undefined) return '—';
  const t = `${Math.abs(p).toFixed(2)} %`;
  return p < 0 ? `−${t}` : sign && p > 0 ? `+${t}` : t;
}

export const SAVING = '#59a14f';
export const INCREASE = '#e15759';
export const NEUTRAL = '#bab0ac';

/** Bars of the histogram of bill changes: green savings, red increases, suppressed bins grey. */
export function histogramOption(c: Comparison): ChartOption {
  const bins = c.histogram.bins;
  const label = (micros: number) => money(micros, true).replace('+', '');
  return {
    grid: { left: 56, right: 16, top: 28, bottom: 64 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const p = (Array.isArray(params) ? params[0] : params) as { dataIndex: number };
        const b = bins[p.dataIndex];
        if (!b) return '';
        return `${label(b.fromMicros)} to ${label(b.toMicros)}<br/>${
          b.suppressed ? 'suppressed (15/15 rule)' : `${b.customers} customer(s)`
        }`;
      },
    },
    xAxis: {
      type: 'category',
      name: `Bill change, ${c.tariffB.code} − ${c.tariffA?.code ?? 'current'} ($ per bill)`,
      nameLocation: 'middle',
      nameGap: 44,
      data: bins.map((b) => label(b.fromMicros)),
      axisLabel: { rotate: bins.length > 16 ? 45 : 0, fontSize: 11 },
    },
    yAxis: { type: 'value', name: 'Customers', minInterval: 1 },
    series: [
      {
        type: 'bar',
        barCategoryGap: '8%',
        data: bins.map((b) => ({
          value: b.customers ?? 0,
          itemStyle: {
            color: b.suppressed ? NEUTRAL : b.toMicros <= 0 ? SAVING : INCREASE,
          },
        })),
      },
    ],
  };
}

export const CAUSE_LABELS: Record<string, string> = {
  match: 'matches',
  rounding: 'rounding',
  proration: 'proration',
  usage_mismatch: 'usage mismatch',
  wrong_rate: 'wrong rate',
  missing_line: 'missing line',
  unmatched_line: 'unmatched line',
  unexplained: 'unexplained',
};

/** A file name for a report: bill-validation-<account>-<from>.<ext>. */
export function reportName(account: string, from: string, ext: 'csv' | 'html'): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `bill-validation-${safe(account) || 'bill'}-${safe(from) || 'period'}.${ext}`;
}

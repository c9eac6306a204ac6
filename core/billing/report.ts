// The validation report of one bill (bill.exportReport): CSV (one row per line plus a total row,
// each row carrying the bill's organization, account and period so the file stands alone) and
// a printable, self-contained HTML page (inline CSS with print rules; no scripts, no external
// resources). The account number is shown as the session's role may see it.
import { csvLine } from '../datasets/csv';
import type { ValidationResult } from './schema';

export interface ReportHeader {
  org: string;
  /** The account number as the role may see it. */
  account: string;
  usagePoint: string;
  tariff: string;
  from: string;
  to: string;
  generatedAt: Date;
  role: string;
}

export const CSV_COLUMNS = [
  'org',
  'account',
  'period_from',
  'period_to',
  'line_no',
  'code',
  'description',
  'billed',
  'recomputed',
  'difference',
  'within_tolerance',
  'cause',
  'reproduced',
  'explanation',
] as const;

export function reportCsv(r: ValidationResult, h: ReportHeader): string {
  let out = csvLine([...CSV_COLUMNS]);
  const head = [h.org, h.account, h.from, h.to];
  for (const l of r.lines)
    out += csvLine([
      ...head,
      l.lineNo,
      l.code,
      l.description,
      l.billed,
      l.recomputed,
      l.difference,
      l.withinTolerance,
      l.cause,
      l.reproduced,
      l.explanation,
    ]);
  const totalOk = Math.abs(toMicros(r.difference)) <= toMicros(r.tolerance);
  out += csvLine([
    ...head,
    'total',
    null,
    'Total',
    r.billedTotal,
    r.recomputedTotal,
    r.difference,
    totalOk,
    r.passed ? 'PASS' : 'FAIL',
    null,
    r.summary,
  ]);
  return out;
}

/** "12.345" → 12345000 (report figures come from dollars(): plain decimals). */
function toMicros(d: string): number {
  const neg = d.startsWith('-');
  const [w = '0', f = ''] = (neg ? d.slice(1) : d).split('.');
  const v = Number(w) * 1_000_000 + Number(f.padEnd(6, '0').slice(0, 6));
  return neg ? -v : v;
}

const esc = (s: string | null | undefined): string =>
  (s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const CSS = `
*{box-sizing:border-box}
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1f2933;margin:24px auto;max-width:1100px;padding:0 16px}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:20px 0 6px}
.sub{color:#52606d;margin:0 0 12px}
dl{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:2px 14px;margin:0 0 12px}
dt{color:#52606d}dd{margin:0}
.verdict{display:inline-block;font-weight:700;padding:2px 10px;border-radius:3px;margin-right:8px}
.pass{background:#e3f4e6;color:#1e6b30;border:1px solid #9fd3aa}
.fail{background:#fde8e8;color:#9b1c1c;border:1px solid #f3a5a5}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border:1px solid #d5dbe1;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f4f6f8;font-size:12px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.diff td{background:#fff7e0}
tr.out td{background:#fde8e8}
tr.total td{font-weight:700;border-top:2px solid #52606d}
td.expl{font-size:12px;color:#323f4b}
ul{margin:4px 0 12px;padding-left:20px}
.foot{color:#7b8794;font-size:11px;margin-top:18px}
@page{size:landscape;margin:12mm}
@media print{body{margin:0;max-width:none;padding:0}tr{page-break-inside:avoid}h2{page-break-after:avoid}.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}tr.diff td,tr.out td{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
`;

export function reportHtml(r: ValidationResult, h: ReportHeader): string {
  const c = r.computed;
  const rows = r.lines
    .map((l) => {
      const cls = !l.withinTolerance ? 'out' : l.differenceMicros !== 0 ? 'diff' : '';
      return `<tr class="${cls}"><td class="num">${l.lineNo}</td><td>${esc(l.description)}<br><small>${esc(l.code)}</small></td><td class="num">${esc(l.billed ?? '—')}</td><td class="num">${esc(l.recomputed ?? '—')}</td><td class="num">${esc(l.difference)}</td><td>${esc(l.cause)}${l.reproduced ? ' ✓' : ''}</td><td class="expl">${esc(l.explanation)}</td></tr>`;
    })
    .join('\n');
  const computed = c.lines
    .map(
      (l) =>
        `<tr><td>${esc(l.description)}</td><td class="num">${esc(l.quantity)} ${esc(l.unit)}</td><td class="num">${esc(l.rate)}</td><td class="num">${esc(l.exact)}</td><td class="num">${esc(l.amount)}</td></tr>`,
    )
    .join('\n');
  const hyps = r.hypotheses
    .map(
      (x) =>
        `<tr><td>${esc(x.name)}</td><td class="num">${x.linesReproduced} / ${x.lines}</td><td class="num">${esc(x.total)}</td><td class="expl">${esc(x.description)}</td></tr>`,
    )
    .join('\n');
  const d = c.determinants;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bill validation — ${esc(h.org)} ${esc(h.account)} ${esc(h.from)} to ${esc(h.to)}</title>
<style>${CSS}</style></head>
<body>
<h1>Bill validation report</h1>
<p class="sub">${esc(h.org)} account ${esc(h.account)} · ${esc(h.from)} → ${esc(h.to)} (${c.days} days) · tariff ${esc(c.tariff.code)} ${esc(c.tariff.name)}</p>
<p><span class="verdict ${r.passed ? 'pass' : 'fail'}">${r.passed ? 'PASS' : 'FAIL'}</span>${esc(r.summary)}</p>
<dl>
<dt>Billed total</dt><dd>${esc(r.billedTotal)}</dd><dt>Recomputed total</dt><dd>${esc(r.recomputedTotal)}</dd>
<dt>Difference</dt><dd>${esc(r.difference)}</dd><dt>Tolerance</dt><dd>± ${esc(r.tolerance)} per line and total</dd>
<dt>Usage point</dt><dd>${esc(h.usagePoint)}</dd><dt>Usage</dt><dd>${esc(d.usage)} ${esc(d.unit)} from ${esc(d.source)}</dd>
<dt>Rounding rule</dt><dd>${esc(c.rounding)}</dd><dt>Proration</dt><dd>${esc(c.proration)}${c.versions.length > 1 ? ` over ${c.versions.length} tariff versions` : ''}</dd>
${r.bestHypothesis ? `<dt>Best explanation</dt><dd style="grid-column:span 3">${esc(r.bestHypothesis.name)} (${r.bestHypothesis.linesReproduced} of ${r.bestHypothesis.lines} lines, total ${esc(r.bestHypothesis.total)})</dd>` : ''}
</dl>
<h2>Billed vs recomputed, line by line</h2>
<table>
<thead><tr><th class="num">#</th><th>Line</th><th class="num">Billed</th><th class="num">Recomputed</th><th class="num">Difference</th><th>Cause</th><th>Explanation</th></tr></thead>
<tbody>
${rows}
<tr class="total"><td></td><td>Total</td><td class="num">${esc(r.billedTotal)}</td><td class="num">${esc(r.recomputedTotal)}</td><td class="num">${esc(r.difference)}</td><td>${r.passed ? 'PASS' : 'FAIL'}</td><td></td></tr>
</tbody></table>
${r.findings.length ? `<h2>Findings</h2><ul>${r.findings.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}
<h2>Recomputed bill</h2>
<table><thead><tr><th>Charge</th><th class="num">Quantity</th><th class="num">Rate</th><th class="num">Exact</th><th class="num">Amount</th></tr></thead>
<tbody>${computed}
<tr class="total"><td>Total</td><td></td><td></td><td></td><td class="num">${esc(c.total)}</td></tr></tbody></table>
<h2>Hypotheses tried</h2>
<table><thead><tr><th>Hypothesis</th><th class="num">Lines reproduced</th><th class="num">Total</th><th>What</th></tr></thead>
<tbody>${hyps}</tbody></table>
<p class="foot">Energy Data Workbench · generated ${esc(h.generatedAt.toISOString())} · role ${esc(h.role)} · a line is “reproduced” only when the explanation gives its billed amount exactly.</p>
</body></html>
`;
}

// The interval_reading view: unpacks interval_block rows into one row per reading with plain
// SQL, so anyone can query a workspace with the sqlite3 shell, Datasette or a BI tool.
// It mirrors intervalCodec.ts exactly; a test decodes every block both ways and compares.
// Every slot decodes on its own (no window function, no CTE), so SQLite flattens the view into
// the caller's query and filters or joins on usage_point_id, series_id, day or start use the
// indexes instead of decoding every block of the workspace.

const HEX = `'0123456789ABCDEF'`;

/** SQL expression: unsigned big-endian integer of `nibbles` hex digits in text expression h. */
function hexToInt(h: string, nibbles: number): string {
  const terms: string[] = [];
  for (let i = 0; i < nibbles; i++) {
    const weight = 16 ** (nibbles - 1 - i);
    terms.push(`(instr(${HEX}, substr(${h}, ${i + 1}, 1)) - 1) * ${weight}`);
  }
  return terms.join(' + ');
}

/** Offset from the block's base for slot s.n of block b, widths 1..6 (12 hex digits after left padding). */
const padded = `substr('000000000000' || hex(substr(b.vals, s.n * b.width + 1, b.width)), -12)`;
const offset = `(${hexToInt(padded, 12)})`;

// float64 (width 8): sign, 11-bit exponent, 52-bit mantissa from 16 hex digits; exponent 0
// holds zero and subnormals (mantissa × 2^-1074).
const f64hex = `hex(substr(b.vals, s.n * 8 + 1, 8))`;
const f64sign = `(CASE WHEN (instr(${HEX}, substr(${f64hex}, 1, 1)) - 1) >= 8 THEN -1.0 ELSE 1.0 END)`;
const f64exp = `(((instr(${HEX}, substr(${f64hex}, 1, 1)) - 1) % 8) * 256 + (${hexToInt(`substr(${f64hex}, 2, 2)`, 2)}))`;
const f64mant = `(${hexToInt(`substr(${f64hex}, 4, 13)`, 13)})`;
const f64 = `${f64sign} * CASE WHEN ${f64exp} = 0 THEN ${f64mant} * pow(2.0, -1074)
  ELSE (1.0 + ${f64mant} / 4503599627370496.0) * pow(2.0, ${f64exp} - 1023) END`;

const pow10 = `(CASE b.scale ${Array.from({ length: 13 }, (_, i) => `WHEN ${i} THEN ${10 ** i}.0`).join(' ')} END)`;

const qualityAt = `CASE WHEN b.quality IS NULL THEN 0 ELSE (
    SELECT ${hexToInt(`hex(substr(b.quality, r.n * 3 + 3, 1))`, 2)}
    FROM slot r
    WHERE r.n < length(b.quality) / 3
      AND (${hexToInt(`hex(substr(b.quality, r.n * 3 + 1, 2))`, 4)}) <= s.n
    ORDER BY r.n DESC LIMIT 1) END`;

export const intervalReadingViewSql = /* sql */ `
CREATE VIEW interval_reading AS
SELECT b.series_id, se.usage_point_id, se.sensor_id, se.reading_type_id, b.day, s.n AS slot,
       b.start + s.n * b.seconds AS start, b.start + (s.n + 1) * b.seconds AS "end", b.seconds,
       CASE WHEN b.width = 8 THEN ${f64}
            WHEN b.width = 0 THEN b.base * 1.0 / ${pow10}
            ELSE (b.base + ${offset}) * 1.0 / ${pow10} END AS value,
       ${qualityAt} AS quality,
       q.name AS quality_name
FROM interval_block b
JOIN series se ON se.id = b.series_id
JOIN slot s ON s.n < b.count
LEFT JOIN quality q ON q.code = ${qualityAt};
`;

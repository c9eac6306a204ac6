// The interval_reading view: unpacks interval_block rows into one row per reading with plain
// SQL, so anyone can query a workspace with the sqlite3 shell, Datasette or a BI tool.
// It mirrors intervalCodec.ts exactly; a test decodes every block both ways and compares.

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

/** Zig-zag delta for slot s.n of block b, widths 0..6 (12 hex digits after left padding). */
const padded = `substr('000000000000' || hex(substr(b.vals, s.n * b.width + 1, b.width)), -12)`;
const zig = `(${hexToInt(padded, 12)})`;
const delta = `CASE WHEN b.width = 0 THEN 0 WHEN (${zig}) % 2 = 0 THEN (${zig}) / 2 ELSE -((${zig}) + 1) / 2 END`;

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

// The series columns are carried into the window partition (they depend on series_id alone,
// so partitions are unchanged) so that SQLite pushes filters on usage_point_id, sensor_id or
// reading_type_id down into the scan instead of decoding every block first.
export const intervalReadingViewSql = /* sql */ `
CREATE VIEW interval_reading AS
WITH slots AS (
  SELECT b.series_id, se.usage_point_id, se.sensor_id, se.reading_type_id, b.day, s.n AS slot,
         b.start + s.n * b.seconds AS start, b.seconds, b.width, b.scale,
         CASE WHEN b.width = 8 THEN ${f64} ELSE NULL END AS f64_value,
         ${delta} AS delta,
         ${qualityAt} AS quality
  FROM interval_block b
  JOIN series se ON se.id = b.series_id
  JOIN slot s ON s.n < b.count
)
SELECT x.series_id, x.usage_point_id, x.sensor_id, x.reading_type_id, x.day, x.slot,
       x.start, x.start + x.seconds AS "end", x.seconds,
       CASE WHEN x.width = 8 THEN x.f64_value
            ELSE SUM(x.delta) OVER (
                   PARTITION BY x.series_id, x.usage_point_id, x.sensor_id, x.reading_type_id, x.day
                   ORDER BY x.slot) * 1.0 /
                 ${pow10.replace(/b\.scale/g, 'x.scale')} END AS value,
       x.quality, q.name AS quality_name
FROM slots x
LEFT JOIN quality q ON q.code = x.quality;
`;

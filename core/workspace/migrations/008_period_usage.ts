// Migration 8: consumption over a period longer than a day — one row per billing period (monthly
// gas, non-AMI electric reads as Green Button files give them: one IntervalReading of 28–35 days).
//
// Why not interval_block: a block holds the slots of one local day (intervals ≤ 1 day that tile
// the day). A 32-day total fits no day, and spreading it over its days would invent a daily
// profile the meter never measured (and daily roll-ups would then treat it as interval data).
// So a period is stored as given: its exact bounds and its total, nothing derived.
//
// Per usage point (or non-utility sensor, like `series`) × reading type (those written by the
// Green Button importer have interval_seconds NULL: periods have no fixed length). start_utc /
// end_utc are UTC epoch seconds, end exclusive; first_date / last_date the local calendar dates
// of the first and last second in the owner's zone. value is exact decimal text in the reading
// type's unit (like register_read.reading). Unique per (owner, reading type, start); the importer
// refuses a period that overlaps a stored one, so periods of a stream never double-count.
export const migration008 = /* sql */ `
CREATE TABLE period_usage (
  id              INTEGER PRIMARY KEY,
  usage_point_id  INTEGER REFERENCES usage_point(id),
  sensor_id       INTEGER REFERENCES sensor(id),
  reading_type_id INTEGER NOT NULL REFERENCES reading_type(id),
  start_utc       INTEGER NOT NULL,    -- UTC epoch seconds, first second of the period
  end_utc         INTEGER NOT NULL,    -- UTC epoch seconds, exclusive
  first_date      TEXT NOT NULL,       -- local date of start_utc
  last_date       TEXT NOT NULL,       -- local date of end_utc - 1
  value           TEXT NOT NULL,       -- exact decimal text in the reading type's unit
  quality         INTEGER NOT NULL DEFAULT 0 REFERENCES quality(code),
  import_batch_id INTEGER REFERENCES import_batch(id),
  CHECK ((usage_point_id IS NULL) <> (sensor_id IS NULL)),
  CHECK (end_utc > start_utc),
  CHECK (last_date >= first_date)
);
-- Two partial indexes rather than one UNIQUE: NULLs never collide in a UNIQUE constraint.
CREATE UNIQUE INDEX period_usage_up ON period_usage(usage_point_id, reading_type_id, start_utc)
  WHERE usage_point_id IS NOT NULL;
CREATE UNIQUE INDEX period_usage_sensor ON period_usage(sensor_id, reading_type_id, start_utc)
  WHERE sensor_id IS NOT NULL;
CREATE INDEX period_usage_batch ON period_usage(import_batch_id);
`;

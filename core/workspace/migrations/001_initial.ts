// Migration 1: the full versioned logical data model of SB284 (see docs/data-model.md).
// Every source row carries its organization (org_id) and import batch so regulated utility
// data and non-regulated third-party data stay separable and traceable.
// Money is INTEGER micro-dollars; rates and quantities that must stay exact are decimal TEXT.
// Times are UTC epoch seconds (INTEGER); calendar dates are ISO 'YYYY-MM-DD' TEXT.

export const migration001 = /* sql */ `
-- ───────────── workspace metadata ─────────────
CREATE TABLE app_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- ───────────── reference ─────────────
CREATE TABLE jurisdiction (
  code TEXT PRIMARY KEY,               -- USPS state code: NH, MA
  name TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE organization (
  id                INTEGER PRIMARY KEY,
  code              TEXT NOT NULL UNIQUE,   -- short code used in files: UES, PSNH, LIBERTY, FGE
  name              TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('utility','cca','aggregator','vendor','agency','municipality')),
  jurisdiction_code TEXT REFERENCES jurisdiction(code),
  regulated         INTEGER NOT NULL DEFAULT 0 CHECK (regulated IN (0,1)),
  time_zone         TEXT NOT NULL DEFAULT 'America/New_York'  -- IANA zone for local-time evaluation
);

CREATE TABLE organization_commodity (
  org_id    INTEGER NOT NULL REFERENCES organization(id),
  commodity TEXT NOT NULL REFERENCES commodity(code),
  PRIMARY KEY (org_id, commodity)
) WITHOUT ROWID;

CREATE TABLE commodity (
  code      TEXT PRIMARY KEY,          -- electricity, gas, water, steam, propane, oil
  name      TEXT NOT NULL,
  espi_kind INTEGER                    -- ESPI ServiceKind (0 electricity, 1 gas, 2 water ...)
) WITHOUT ROWID;

CREATE TABLE unit (
  code           TEXT PRIMARY KEY,     -- kWh, Wh, MWh, kW, therm, CCF, MCF, gal, MMBtu ...
  quantity       TEXT NOT NULL CHECK (quantity IN ('energy','power','volume','reactive','ratio','voltage','other')),
  canonical      TEXT NOT NULL,        -- canonical unit of the same quantity
  factor         REAL NOT NULL,        -- value_in_canonical = value * factor
  espi_uom       INTEGER               -- ESPI UnitSymbolKind where one exists
) WITHOUT ROWID;

CREATE TABLE reading_type (
  id               INTEGER PRIMARY KEY,
  commodity        TEXT NOT NULL REFERENCES commodity(code),
  unit             TEXT NOT NULL REFERENCES unit(code),
  flow_direction   TEXT NOT NULL DEFAULT 'forward' CHECK (flow_direction IN ('forward','reverse','net','total')),
  interval_seconds INTEGER CHECK (interval_seconds IS NULL OR interval_seconds > 0), -- NULL for register reads
  accumulation     TEXT NOT NULL DEFAULT 'delta' CHECK (accumulation IN ('delta','bulkQuantity','summation','indicating','cumulative')),
  measure          TEXT NOT NULL DEFAULT 'energy' CHECK (measure IN ('energy','demand','volume','other')),
  name             TEXT NOT NULL,
  UNIQUE (commodity, unit, flow_direction, interval_seconds, accumulation, measure)
);

CREATE TABLE quality (
  code INTEGER PRIMARY KEY,            -- normalised quality stored in interval blocks and reads
  name TEXT NOT NULL UNIQUE            -- valid, estimated, edited, missing, failed
);

CREATE TABLE quality_map (
  org_id      INTEGER NOT NULL REFERENCES organization(id),
  source_code TEXT NOT NULL,           -- the utility's own code, e.g. '9' or 'Passed Val'
  quality     INTEGER NOT NULL REFERENCES quality(code),
  description TEXT,
  PRIMARY KEY (org_id, source_code)
) WITHOUT ROWID;

CREATE TABLE holiday (
  jurisdiction_code TEXT NOT NULL REFERENCES jurisdiction(code),
  date              TEXT NOT NULL,
  name              TEXT NOT NULL,
  PRIMARY KEY (jurisdiction_code, date)
) WITHOUT ROWID;

-- ───────────── import batches, rejects, profiles ─────────────
CREATE TABLE import_batch (
  id            INTEGER PRIMARY KEY,
  org_id        INTEGER REFERENCES organization(id),
  kind          TEXT NOT NULL,         -- cis, intervals, reads, greenbutton, tariff, topology, der, programs, submeter, bill, demo, seed
  file_name     TEXT NOT NULL,
  content_hash  TEXT NOT NULL,         -- sha256 of the file; re-import of the same file is a no-op
  profile       TEXT,
  mode          TEXT NOT NULL DEFAULT 'lenient' CHECK (mode IN ('lenient','strict')),
  status        TEXT NOT NULL CHECK (status IN ('running','committed','rejected','cancelled')),
  rows_total    INTEGER NOT NULL DEFAULT 0,
  rows_accepted INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0,
  started_at    INTEGER NOT NULL,
  finished_at   INTEGER
);
CREATE UNIQUE INDEX import_batch_hash ON import_batch(kind, content_hash, ifnull(org_id, 0)) WHERE status = 'committed';

CREATE TABLE import_reject (
  id        INTEGER PRIMARY KEY,
  batch_id  INTEGER NOT NULL REFERENCES import_batch(id),
  file      TEXT NOT NULL,
  line      INTEGER NOT NULL,
  column    TEXT,
  value     TEXT,
  reason    TEXT NOT NULL
);
CREATE INDEX import_reject_batch ON import_reject(batch_id);

-- Source columns no native field maps: kept, attached to the row they came with.
CREATE TABLE source_attribute (
  source_table    TEXT NOT NULL,
  source_id       INTEGER NOT NULL,
  name            TEXT NOT NULL,
  value           TEXT NOT NULL,
  import_batch_id INTEGER NOT NULL REFERENCES import_batch(id),
  PRIMARY KEY (source_table, source_id, name, import_batch_id)
) WITHOUT ROWID;

CREATE TABLE mapping_profile (
  id      INTEGER PRIMARY KEY,
  org_id  INTEGER REFERENCES organization(id),
  kind    TEXT NOT NULL,
  name    TEXT NOT NULL,
  json    TEXT NOT NULL,               -- header → field, units, time zone, date formats, quality map
  UNIQUE (org_id, kind, name)
);

-- ───────────── parties ─────────────
CREATE TABLE person (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES organization(id),
  source_key      TEXT NOT NULL,
  name            TEXT,                -- PII
  email           TEXT,                -- PII
  phone           TEXT,                -- PII
  import_batch_id INTEGER REFERENCES import_batch(id),
  UNIQUE (org_id, source_key)
);

CREATE TABLE customer (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES organization(id),
  source_key      TEXT NOT NULL,
  person_id       INTEGER REFERENCES person(id),
  name            TEXT,                -- PII
  customer_class  TEXT NOT NULL DEFAULT 'residential' CHECK (customer_class IN ('residential','commercial','industrial','municipal','other')),
  import_batch_id INTEGER REFERENCES import_batch(id),
  UNIQUE (org_id, source_key)
);

CREATE TABLE account (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES organization(id),
  account_number  TEXT NOT NULL,       -- PII
  customer_id     INTEGER REFERENCES customer(id),
  status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','closed','pending')),
  opened_on       TEXT,
  closed_on       TEXT,
  import_batch_id INTEGER REFERENCES import_batch(id),
  UNIQUE (org_id, account_number)
);
CREATE INDEX account_customer ON account(customer_id);

CREATE TABLE rate_class (
  id             INTEGER PRIMARY KEY,
  org_id         INTEGER NOT NULL REFERENCES organization(id),
  code           TEXT NOT NULL,        -- the utility's code: D, R, G1 ...
  name           TEXT NOT NULL,
  commodity      TEXT NOT NULL REFERENCES commodity(code),
  customer_class TEXT,
  UNIQUE (org_id, code)
);

-- ───────────── places ─────────────
CREATE TABLE address (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES organization(id),
  raw             TEXT NOT NULL,       -- the address exactly as the source wrote it (PII)
  line1           TEXT,
  city            TEXT,
  state           TEXT,
  zip             TEXT,
  -- normalised parts (USPS Publication 28), filled by the indexer
  house_number    TEXT,
  predirectional  TEXT,
  street_name     TEXT,
  street_suffix   TEXT,
  postdirectional TEXT,
  unit_type       TEXT,
  unit_number     TEXT,
  zip5            TEXT,
  zip4            TEXT,
  normalized      TEXT,
  latitude        REAL,
  longitude       REAL,
  import_batch_id INTEGER REFERENCES import_batch(id)
);
CREATE INDEX address_org_raw ON address(org_id, raw);
CREATE INDEX address_zip_street ON address(zip5, street_name);

CREATE TABLE premise (
  id                INTEGER PRIMARY KEY,
  org_id            INTEGER NOT NULL REFERENCES organization(id),
  source_key        TEXT NOT NULL,     -- the organization's premise / service-location key
  kind              TEXT NOT NULL DEFAULT 'building' CHECK (kind IN ('building','unit','site')),
  parent_premise_id INTEGER REFERENCES premise(id),
  town              TEXT,
  state             TEXT,
  latitude          REAL,
  longitude         REAL,
  import_batch_id   INTEGER REFERENCES import_batch(id),
  UNIQUE (org_id, source_key)
);

CREATE TABLE premise_address (
  premise_id INTEGER NOT NULL REFERENCES premise(id),
  address_id INTEGER NOT NULL REFERENCES address(id),
  role       TEXT NOT NULL DEFAULT 'service' CHECK (role IN ('service','mailing','billing')),
  valid_from TEXT,
  valid_to   TEXT,
  PRIMARY KEY (premise_id, address_id, role)
) WITHOUT ROWID;
CREATE INDEX premise_address_address ON premise_address(address_id);

-- ───────────── metering ─────────────
CREATE TABLE usage_point (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES organization(id),
  source_key      TEXT NOT NULL,       -- the utility's service delivery point id
  premise_id      INTEGER REFERENCES premise(id),
  commodity       TEXT NOT NULL REFERENCES commodity(code),
  time_zone       TEXT,                -- NULL: the organization's zone
  status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','inactive','removed')),
  import_batch_id INTEGER REFERENCES import_batch(id),
  UNIQUE (org_id, source_key)
);
CREATE INDEX usage_point_premise ON usage_point(premise_id);

CREATE TABLE service_agreement (
  id              INTEGER PRIMARY KEY,
  account_id      INTEGER NOT NULL REFERENCES account(id),
  usage_point_id  INTEGER NOT NULL REFERENCES usage_point(id),
  rate_class_id   INTEGER REFERENCES rate_class(id),
  tariff_id       INTEGER REFERENCES tariff(id),
  start_date      TEXT NOT NULL,
  end_date        TEXT,
  import_batch_id INTEGER REFERENCES import_batch(id),
  UNIQUE (account_id, usage_point_id, start_date)
);
CREATE INDEX service_agreement_up ON service_agreement(usage_point_id);

CREATE TABLE meter (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES organization(id),
  serial          TEXT NOT NULL,
  kind            TEXT NOT NULL DEFAULT 'ami' CHECK (kind IN ('ami','amr','manual','net','demand','gas','water')),
  multiplier      TEXT NOT NULL DEFAULT '1',
  dials           INTEGER,
  import_batch_id INTEGER REFERENCES import_batch(id),
  UNIQUE (org_id, serial)
);

CREATE TABLE meter_usage_point (
  meter_id       INTEGER NOT NULL REFERENCES meter(id),
  usage_point_id INTEGER NOT NULL REFERENCES usage_point(id),
  installed_on   TEXT NOT NULL,
  removed_on     TEXT,
  PRIMARY KEY (meter_id, usage_point_id, installed_on)
) WITHOUT ROWID;
CREATE INDEX meter_usage_point_up ON meter_usage_point(usage_point_id);

CREATE TABLE sensor (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES organization(id),  -- the vendor (non-regulated)
  source_key      TEXT NOT NULL,
  kind            TEXT NOT NULL DEFAULT 'submeter' CHECK (kind IN ('submeter','thermostat','ev_charger','inverter','smart_plug','other')),
  premise_id      INTEGER REFERENCES premise(id),
  address_id      INTEGER REFERENCES address(id),
  import_batch_id INTEGER REFERENCES import_batch(id),
  UNIQUE (org_id, source_key)
);

CREATE TABLE register_read (
  id              INTEGER PRIMARY KEY,
  usage_point_id  INTEGER NOT NULL REFERENCES usage_point(id),
  meter_id        INTEGER REFERENCES meter(id),
  reading_type_id INTEGER NOT NULL REFERENCES reading_type(id),
  read_date       TEXT NOT NULL,       -- local date of the read
  read_at         INTEGER,             -- UTC epoch seconds when known
  reading         TEXT NOT NULL,       -- exact register value as read (decimal text)
  multiplier      TEXT NOT NULL DEFAULT '1',
  estimated       INTEGER NOT NULL DEFAULT 0 CHECK (estimated IN (0,1)),
  quality         INTEGER NOT NULL DEFAULT 0 REFERENCES quality(code),
  import_batch_id INTEGER REFERENCES import_batch(id),
  UNIQUE (usage_point_id, meter_id, reading_type_id, read_date)
);

-- A series is one stream of interval data: a usage point (or a non-utility sensor) × reading type.
CREATE TABLE series (
  id              INTEGER PRIMARY KEY,
  usage_point_id  INTEGER REFERENCES usage_point(id),
  sensor_id       INTEGER REFERENCES sensor(id),
  reading_type_id INTEGER NOT NULL REFERENCES reading_type(id),
  CHECK ((usage_point_id IS NULL) <> (sensor_id IS NULL)),
  UNIQUE (usage_point_id, sensor_id, reading_type_id)
);
CREATE INDEX series_sensor ON series(sensor_id);

-- Compact interval storage: one row per series × local day (like ESPI's IntervalBlock).
-- vals: per slot, value × 10^scale − base as a fixed-width big-endian unsigned integer
--       (width bytes each; width 0: every slot equals base), or float64 big-endian when
--       width = 8 (values not exact with ≤ 12 decimals).
-- quality: NULL when every slot is valid; else runs of 3 bytes (first slot u16 BE, code u8).
-- See docs/interval-storage.md and the interval_reading view.
CREATE TABLE interval_block (
  series_id       INTEGER NOT NULL REFERENCES series(id),
  day             INTEGER NOT NULL,    -- local calendar day, days since 1970-01-01
  start           INTEGER NOT NULL,    -- UTC epoch seconds of slot 0
  seconds         INTEGER NOT NULL,    -- interval length
  count           INTEGER NOT NULL,    -- number of slots (23/25 hourly on DST days)
  scale           INTEGER NOT NULL,    -- decimal exponent: value = (base + offset) / 10^scale
  base            INTEGER NOT NULL,    -- frame of reference: the smallest scaled value of the block
  width           INTEGER NOT NULL CHECK (width IN (0,1,2,3,4,5,6,8)),
  vals            BLOB NOT NULL,
  quality         BLOB,
  total           REAL NOT NULL,       -- sum of non-missing values, for fast roll-ups
  import_batch_id INTEGER REFERENCES import_batch(id),
  PRIMARY KEY (series_id, day)
) WITHOUT ROWID;

-- Monthly roll-up of interval blocks per series (local calendar month of the block's day),
-- kept exact by triggers for every writer, so coverage and monthly totals never scan blocks.
CREATE TABLE interval_month (
  series_id INTEGER NOT NULL REFERENCES series(id),
  month     TEXT NOT NULL,             -- 'YYYY-MM'
  days      INTEGER NOT NULL,          -- blocks (local days) present
  readings  INTEGER NOT NULL,          -- slots present
  total     REAL NOT NULL,             -- sum of block totals
  first_day INTEGER NOT NULL,
  last_day  INTEGER NOT NULL,
  PRIMARY KEY (series_id, month)
) WITHOUT ROWID;

CREATE TRIGGER interval_block_insert AFTER INSERT ON interval_block BEGIN
  INSERT INTO interval_month (series_id, month, days, readings, total, first_day, last_day)
  VALUES (NEW.series_id, strftime('%Y-%m', NEW.day * 86400, 'unixepoch'), 1, NEW.count, NEW.total, NEW.day, NEW.day)
  ON CONFLICT (series_id, month) DO UPDATE SET
    days = days + 1, readings = readings + excluded.readings, total = total + excluded.total,
    first_day = min(first_day, excluded.first_day), last_day = max(last_day, excluded.last_day);
END;

-- Deletes and updates are rare: recompute the affected months from the blocks themselves.
CREATE VIEW interval_month_source AS
SELECT series_id, strftime('%Y-%m', day * 86400, 'unixepoch') AS month, count(*) AS days,
       sum(count) AS readings, sum(total) AS total, min(day) AS first_day, max(day) AS last_day
FROM interval_block GROUP BY series_id, month;

CREATE TRIGGER interval_block_delete AFTER DELETE ON interval_block BEGIN
  DELETE FROM interval_month WHERE series_id = OLD.series_id AND month = strftime('%Y-%m', OLD.day * 86400, 'unixepoch');
  INSERT INTO interval_month SELECT * FROM interval_month_source
    WHERE series_id = OLD.series_id AND month = strftime('%Y-%m', OLD.day * 86400, 'unixepoch');
END;

CREATE TRIGGER interval_block_update AFTER UPDATE OF series_id, day, count, total ON interval_block BEGIN
  DELETE FROM interval_month WHERE (series_id = OLD.series_id AND month = strftime('%Y-%m', OLD.day * 86400, 'unixepoch'))
    OR (series_id = NEW.series_id AND month = strftime('%Y-%m', NEW.day * 86400, 'unixepoch'));
  INSERT OR REPLACE INTO interval_month SELECT * FROM interval_month_source
    WHERE (series_id = OLD.series_id AND month = strftime('%Y-%m', OLD.day * 86400, 'unixepoch'))
       OR (series_id = NEW.series_id AND month = strftime('%Y-%m', NEW.day * 86400, 'unixepoch'));
END;

-- slot numbers 0..1499 (25 h of 1-minute data) used by the interval_reading view.
CREATE TABLE slot (n INTEGER PRIMARY KEY);
WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 1499)
INSERT INTO slot SELECT n FROM s;

-- ───────────── grid ─────────────
CREATE TABLE substation (
  id     INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organization(id),
  code   TEXT NOT NULL,
  name   TEXT,
  UNIQUE (org_id, code)
);

CREATE TABLE circuit (
  id               INTEGER PRIMARY KEY,
  org_id           INTEGER NOT NULL REFERENCES organization(id),
  code             TEXT NOT NULL,      -- e.g. 22233
  substation_id    INTEGER REFERENCES substation(id),
  circuit_type     TEXT,               -- seed 'Type ID'
  hosting_limit_kw REAL,
  import_batch_id  INTEGER REFERENCES import_batch(id),
  UNIQUE (org_id, code)
);

CREATE TABLE section (
  id         INTEGER PRIMARY KEY,
  circuit_id INTEGER NOT NULL REFERENCES circuit(id),
  code       TEXT NOT NULL,
  UNIQUE (circuit_id, code)
);

CREATE TABLE node (
  id         INTEGER PRIMARY KEY,
  section_id INTEGER NOT NULL REFERENCES section(id),
  code       TEXT NOT NULL,
  UNIQUE (section_id, code)
);

CREATE TABLE transformer (
  id      INTEGER PRIMARY KEY,
  node_id INTEGER NOT NULL REFERENCES node(id),
  code    TEXT NOT NULL,
  kva     REAL,
  UNIQUE (node_id, code)
);

-- ───────────── assets, DER, interconnection ─────────────
CREATE TABLE asset (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES organization(id),
  source_key      TEXT NOT NULL,       -- e.g. seed asset 1515
  category        TEXT NOT NULL CHECK (category IN ('meter','pv','storage','ev_charger','thermostat','generator','transformer','other')),
  category_label  TEXT,                -- as the source names it: 'Meter R', 'Storage-R', 'PV roof-R'
  owner           TEXT,                -- Cust, UES, PSNH, OrgX ...
  premise_id      INTEGER REFERENCES premise(id),
  usage_point_id  INTEGER REFERENCES usage_point(id),
  node_id         INTEGER REFERENCES node(id),
  nameplate_kw    REAL,
  nameplate_kwh   REAL,
  installed_on    TEXT,
  import_batch_id INTEGER REFERENCES import_batch(id),
  UNIQUE (org_id, source_key)
);
CREATE INDEX asset_premise ON asset(premise_id);
CREATE INDEX asset_node ON asset(node_id);

CREATE TABLE interconnection_application (
  id                 INTEGER PRIMARY KEY,
  org_id             INTEGER NOT NULL REFERENCES organization(id),
  application_number TEXT NOT NULL,
  asset_id           INTEGER REFERENCES asset(id),
  circuit_id         INTEGER REFERENCES circuit(id),
  requested_kw       REAL,
  import_batch_id    INTEGER REFERENCES import_batch(id),
  UNIQUE (org_id, application_number)
);

CREATE TABLE interconnection_status (
  application_id INTEGER NOT NULL REFERENCES interconnection_application(id),
  status         TEXT NOT NULL CHECK (status IN ('applied','studied','approved','installed','pto','withdrawn')),
  status_date    TEXT NOT NULL,
  import_batch_id INTEGER REFERENCES import_batch(id),
  PRIMARY KEY (application_id, status, status_date)
) WITHOUT ROWID;

-- ───────────── programs and consent ─────────────
CREATE TABLE program (
  id        INTEGER PRIMARY KEY,
  org_id    INTEGER NOT NULL REFERENCES organization(id),
  code      TEXT NOT NULL,             -- 'UES TOU-RES', 'KW Daily', 'WAP'
  name      TEXT NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN ('tou','demand','dr','wap','nem','vpp','ee','cca','other')),
  commodity TEXT REFERENCES commodity(code),
  UNIQUE (org_id, code)
);

CREATE TABLE program_enrolment (
  id              INTEGER PRIMARY KEY,
  program_id      INTEGER NOT NULL REFERENCES program(id),
  account_id      INTEGER REFERENCES account(id),
  premise_id      INTEGER REFERENCES premise(id),
  status          TEXT NOT NULL CHECK (status IN ('enrolled','pending','completed','ended')),
  effective_date  TEXT NOT NULL,
  end_date        TEXT,
  import_batch_id INTEGER REFERENCES import_batch(id),
  CHECK (account_id IS NOT NULL OR premise_id IS NOT NULL)
);
CREATE INDEX program_enrolment_account ON program_enrolment(account_id);

-- The nightly delta feed as received: every add / update / end with its effective date.
CREATE TABLE program_enrolment_change (
  id              INTEGER PRIMARY KEY,
  enrolment_id    INTEGER NOT NULL REFERENCES program_enrolment(id),
  change          TEXT NOT NULL CHECK (change IN ('add','update','end')),
  effective_date  TEXT NOT NULL,
  status          TEXT NOT NULL,
  import_batch_id INTEGER REFERENCES import_batch(id)
);

CREATE TABLE consent (
  id              INTEGER PRIMARY KEY,
  customer_id     INTEGER REFERENCES customer(id),     -- who grants
  grantee_org_id  INTEGER NOT NULL REFERENCES organization(id), -- to whom
  scope           TEXT NOT NULL,       -- JSON: data classes and usage points covered
  purpose         TEXT,
  valid_from      TEXT NOT NULL,
  valid_to        TEXT,
  revoked_at      INTEGER,
  import_batch_id INTEGER REFERENCES import_batch(id)
);
CREATE INDEX consent_customer ON consent(customer_id);

-- ───────────── tariffs ─────────────
CREATE TABLE tariff (
  id             INTEGER PRIMARY KEY,
  org_id         INTEGER NOT NULL REFERENCES organization(id),
  code           TEXT NOT NULL,        -- rate code printed on bills: D
  name           TEXT NOT NULL,        -- D1 Residential
  commodity      TEXT NOT NULL REFERENCES commodity(code),
  rate_class_id  INTEGER REFERENCES rate_class(id),
  urdb_label     TEXT,                 -- OpenEI URDB label when imported from URDB
  UNIQUE (org_id, code)
);

CREATE TABLE tariff_version (
  id             INTEGER PRIMARY KEY,
  tariff_id      INTEGER NOT NULL REFERENCES tariff(id),
  effective_from TEXT NOT NULL,
  effective_to   TEXT,
  rounding_rule  TEXT NOT NULL DEFAULT 'line_half_up' CHECK (rounding_rule IN ('line_half_up','line_half_even','line_truncate','total_half_up')),
  source_json    TEXT,                 -- the tariff document as imported (URDB or edw JSON)
  import_batch_id INTEGER REFERENCES import_batch(id),
  UNIQUE (tariff_id, effective_from)
);

CREATE TABLE block_definition (
  id                INTEGER PRIMARY KEY,
  tariff_version_id INTEGER NOT NULL REFERENCES tariff_version(id),
  code              TEXT NOT NULL,     -- seed BlockDefinitionID 07
  name              TEXT,
  UNIQUE (tariff_version_id, code)
);

CREATE TABLE time_period (
  id                INTEGER PRIMARY KEY,
  tariff_version_id INTEGER NOT NULL REFERENCES tariff_version(id),
  code              TEXT NOT NULL,     -- mid_peak, critical_peak, off_peak
  name              TEXT NOT NULL,     -- 'Mid-Peak Hourly'
  UNIQUE (tariff_version_id, code)
);

-- TOU schedule: which time period applies by season, day type and local hour [start, end).
CREATE TABLE tou_schedule (
  id                INTEGER PRIMARY KEY,
  tariff_version_id INTEGER NOT NULL REFERENCES tariff_version(id),
  season            TEXT NOT NULL DEFAULT 'all',
  months            TEXT NOT NULL DEFAULT '1-12',  -- e.g. '6-9'
  day_type          TEXT NOT NULL CHECK (day_type IN ('weekday','weekend','holiday','all')),
  start_hour        INTEGER NOT NULL CHECK (start_hour BETWEEN 0 AND 23),
  end_hour          INTEGER NOT NULL CHECK (end_hour BETWEEN 1 AND 24),
  time_period_id    INTEGER NOT NULL REFERENCES time_period(id)
);

CREATE TABLE charge_component (
  id                  INTEGER PRIMARY KEY,
  tariff_version_id   INTEGER NOT NULL REFERENCES tariff_version(id),
  line_order          INTEGER NOT NULL,
  code                TEXT NOT NULL,   -- customer_charge, delivery, stranded_cost ...
  name                TEXT NOT NULL,   -- as printed on the bill
  kind                TEXT NOT NULL CHECK (kind IN ('fixed_bill','fixed_day','energy','demand','minimum','rider','tax')),
  section             TEXT NOT NULL DEFAULT 'delivery' CHECK (section IN ('delivery','supply','other')),
  unit                TEXT,            -- kWh, kW, bill, day
  rate                TEXT NOT NULL,   -- exact decimal dollars per unit
  time_period_id      INTEGER REFERENCES time_period(id),
  block_definition_id INTEGER REFERENCES block_definition(id),
  season              TEXT,
  ratchet_percent     TEXT,            -- demand ratchet share of the prior peak
  UNIQUE (tariff_version_id, code)
);

CREATE TABLE charge_tier (
  charge_id    INTEGER NOT NULL REFERENCES charge_component(id),
  tier_index   INTEGER NOT NULL,
  upto         TEXT,                   -- upper bound of the block (NULL: no limit)
  rate         TEXT NOT NULL,
  PRIMARY KEY (charge_id, tier_index)
) WITHOUT ROWID;

-- ───────────── bills ─────────────
CREATE TABLE bill (
  id              INTEGER PRIMARY KEY,
  org_id          INTEGER NOT NULL REFERENCES organization(id),
  account_id      INTEGER NOT NULL REFERENCES account(id),
  usage_point_id  INTEGER REFERENCES usage_point(id),
  tariff_id       INTEGER REFERENCES tariff(id),
  bill_number     TEXT,
  period_from     TEXT NOT NULL,
  period_to       TEXT NOT NULL,
  issued_on       TEXT,
  meter_serial    TEXT,                -- as printed (may differ from the meter table: a finding)
  read_previous   TEXT,
  read_present    TEXT,
  usage           TEXT,                -- billed usage as printed
  usage_unit      TEXT,
  total_micros    INTEGER NOT NULL,    -- total as billed, micro-dollars
  source          TEXT NOT NULL DEFAULT 'import' CHECK (source IN ('import','manual','dataset','demo')),
  import_batch_id INTEGER REFERENCES import_batch(id)
);
CREATE INDEX bill_account ON bill(account_id, period_from);

CREATE TABLE bill_line (
  bill_id      INTEGER NOT NULL REFERENCES bill(id),
  line_no      INTEGER NOT NULL,
  code         TEXT,
  description  TEXT NOT NULL,
  quantity     TEXT,
  unit         TEXT,
  rate         TEXT,
  amount_micros INTEGER NOT NULL,
  PRIMARY KEY (bill_id, line_no)
) WITHOUT ROWID;

CREATE TABLE computed_bill (
  id                INTEGER PRIMARY KEY,
  bill_id           INTEGER REFERENCES bill(id),
  account_id        INTEGER NOT NULL REFERENCES account(id),
  tariff_version_id INTEGER REFERENCES tariff_version(id),
  period_from       TEXT NOT NULL,
  period_to         TEXT NOT NULL,
  rounding_rule     TEXT NOT NULL,
  proration         TEXT,
  total_micros      INTEGER NOT NULL,
  determinants      TEXT,              -- JSON: kWh per period, peak kW, days, data flags
  computed_at       INTEGER NOT NULL
);

CREATE TABLE computed_bill_line (
  computed_bill_id INTEGER NOT NULL REFERENCES computed_bill(id),
  line_no          INTEGER NOT NULL,
  code             TEXT NOT NULL,
  description      TEXT NOT NULL,
  quantity         TEXT,
  unit             TEXT,
  rate             TEXT,
  amount_micros    INTEGER NOT NULL,
  PRIMARY KEY (computed_bill_id, line_no)
) WITHOUT ROWID;

CREATE TABLE bill_validation (
  id               INTEGER PRIMARY KEY,
  bill_id          INTEGER NOT NULL REFERENCES bill(id),
  computed_bill_id INTEGER NOT NULL REFERENCES computed_bill(id),
  tolerance_micros INTEGER NOT NULL,
  passed           INTEGER NOT NULL CHECK (passed IN (0,1)),
  summary          TEXT NOT NULL,
  created_at       INTEGER NOT NULL
);

CREATE TABLE bill_validation_line (
  validation_id  INTEGER NOT NULL REFERENCES bill_validation(id),
  line_no        INTEGER NOT NULL,
  code           TEXT,
  billed_micros  INTEGER,
  computed_micros INTEGER,
  diff_micros    INTEGER,
  explanation    TEXT,
  PRIMARY KEY (validation_id, line_no)
) WITHOUT ROWID;

-- ───────────── platform index (CORE-06) ─────────────
CREATE TABLE platform_kind (
  kind TEXT PRIMARY KEY,               -- PremiseID, AddressID ... (the thirteen kinds of seed 004)
  source_table TEXT                    -- the table whose rows the kind indexes
) WITHOUT ROWID;

CREATE TABLE platform_id (
  kind        TEXT NOT NULL REFERENCES platform_kind(kind),
  id          TEXT NOT NULL,           -- the platform ID (text: seed IDs such as '07' keep their form)
  created_at  INTEGER NOT NULL,
  retired_at  INTEGER,                 -- an ID is never reused, only retired
  merged_into TEXT,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- Crosswalk: which source rows carry which platform ID.
CREATE TABLE platform_link (
  kind         TEXT NOT NULL REFERENCES platform_kind(kind),
  platform_id  TEXT NOT NULL,
  source_table TEXT NOT NULL,
  source_id    INTEGER NOT NULL,       -- rowid in source_table
  method       TEXT NOT NULL CHECK (method IN ('seed','auto','review','manual')),
  score        REAL,
  run_id       INTEGER REFERENCES index_run(id),
  linked_at    INTEGER NOT NULL,
  PRIMARY KEY (kind, source_table, source_id),
  FOREIGN KEY (kind, platform_id) REFERENCES platform_id(kind, id)
) WITHOUT ROWID;
CREATE INDEX platform_link_id ON platform_link(kind, platform_id);

CREATE TABLE platform_event (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  platform_id TEXT NOT NULL,
  event       TEXT NOT NULL CHECK (event IN ('create','merge','split','retire','link','unlink')),
  other_id    TEXT,
  run_id      INTEGER REFERENCES index_run(id),
  at          INTEGER NOT NULL,
  reason      TEXT
);

CREATE TABLE index_run (
  id          INTEGER PRIMARY KEY,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  params      TEXT,
  metrics     TEXT                     -- JSON: counts per kind, pairs scored, P/R/F1
);

-- Matcher candidates and reviewer decisions (decisions override the matcher on later runs).
CREATE TABLE match_pair (
  id          INTEGER PRIMARY KEY,
  left_premise_id  INTEGER NOT NULL REFERENCES premise(id),
  right_premise_id INTEGER NOT NULL REFERENCES premise(id),
  score       REAL NOT NULL,
  reasons     TEXT NOT NULL,           -- JSON explanation per feature
  status      TEXT NOT NULL CHECK (status IN ('auto_link','review','non_match')),
  run_id      INTEGER REFERENCES index_run(id),
  UNIQUE (left_premise_id, right_premise_id)
);

CREATE TABLE match_decision (
  left_premise_id  INTEGER NOT NULL REFERENCES premise(id),
  right_premise_id INTEGER NOT NULL REFERENCES premise(id),
  decision    TEXT NOT NULL CHECK (decision IN ('accept','reject','split')),
  decided_by  TEXT NOT NULL,
  decided_at  INTEGER NOT NULL,
  note        TEXT,
  PRIMARY KEY (left_premise_id, right_premise_id)
) WITHOUT ROWID;

-- ───────────── datasets ─────────────
CREATE TABLE dataset_definition (
  name          TEXT NOT NULL,
  version       INTEGER NOT NULL,
  title         TEXT NOT NULL,
  parameters    TEXT NOT NULL,         -- JSON: name, type, default
  columns       TEXT NOT NULL,         -- JSON: name, type, unit, description, data class
  privacy_class TEXT NOT NULL CHECK (privacy_class IN ('pii','customer_usage','aggregate','system')),
  PRIMARY KEY (name, version)
) WITHOUT ROWID;

CREATE TABLE dataset_run (
  id                    INTEGER PRIMARY KEY,
  name                  TEXT NOT NULL,
  version               INTEGER NOT NULL,
  parameters            TEXT NOT NULL,
  workspace_fingerprint TEXT NOT NULL,
  row_count             INTEGER NOT NULL,
  suppressed_cells      INTEGER NOT NULL DEFAULT 0,
  role                  TEXT NOT NULL,
  output_path           TEXT,
  created_at            INTEGER NOT NULL,
  FOREIGN KEY (name, version) REFERENCES dataset_definition(name, version)
);

-- ───────────── audit ─────────────
CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,
  role    TEXT NOT NULL,
  action  TEXT NOT NULL,               -- import, index, export, privacy_decision, migrate, create
  subject TEXT,
  details TEXT                         -- JSON
);

-- ───────────── ground truth for indexer evaluation (fixture data, never used by the matcher) ─────────────
CREATE TABLE fixture_premise_truth (
  premise_id INTEGER PRIMARY KEY REFERENCES premise(id),
  truth_key  TEXT NOT NULL             -- records with the same truth_key are the same real premise
);
CREATE INDEX fixture_premise_truth_key ON fixture_premise_truth(truth_key);
`;

// Migration 4: the VPP simulation's output tables (docs/vpp.md "Tables"). One row in vpp_run
// per simulation; every stage of SMV-03 writes its own table keyed by the run. DERs are
// numbered per run (vpp_enrolment.der); intervals are the season's, numbered from 0
// (vpp_interval gives each one's UTC start, local label, price and event).
export const migration004 = /* sql */ `
CREATE TABLE vpp_run (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  scenario      TEXT NOT NULL,            -- the validated scenario JSON (defaults filled in)
  scenario_hash TEXT NOT NULL,            -- sha256 of that JSON
  season_start  TEXT NOT NULL,
  season_end    TEXT NOT NULL,
  interval_seconds INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  seconds       REAL NOT NULL,
  role          TEXT NOT NULL,
  settlement_cents INTEGER NOT NULL,
  fee_cents     INTEGER NOT NULL,
  summary       TEXT NOT NULL             -- JSON: the report's summary figures
);

-- market signals and weather per season interval
CREATE TABLE vpp_interval (
  run_id     INTEGER NOT NULL REFERENCES vpp_run(id) ON DELETE CASCADE,
  interval   INTEGER NOT NULL,
  start      INTEGER NOT NULL,              -- UTC epoch seconds
  local      TEXT NOT NULL,                 -- 'YYYY-MM-DD HH:MM' in the season's time zone
  price_usd_per_mwh REAL NOT NULL,
  temp_f     REAL NOT NULL,
  event_id   TEXT,
  PRIMARY KEY (run_id, interval)
) WITHOUT ROWID;

-- stage .1: every DER considered, enrolled or excluded with the reason
CREATE TABLE vpp_enrolment (
  run_id      INTEGER NOT NULL REFERENCES vpp_run(id) ON DELETE CASCADE,
  der         INTEGER,                      -- number of an enrolled DER in this run (NULL: excluded)
  der_key     TEXT NOT NULL,
  kind        TEXT NOT NULL,
  kw          REAL NOT NULL,
  kwh         REAL,
  participant TEXT NOT NULL,
  premise_id  INTEGER,
  customer_id INTEGER,
  asset_id    INTEGER,
  circuit     TEXT,
  transformer TEXT,
  source      TEXT NOT NULL CHECK (source IN ('workspace','scenario')),
  status      TEXT NOT NULL CHECK (status IN ('enrolled','excluded')),
  reason      TEXT NOT NULL,
  PRIMARY KEY (run_id, der_key)
) WITHOUT ROWID;

-- stage .2: available kW per DER and interval, day-ahead forecast and simulated actual
CREATE TABLE vpp_forecast (
  run_id      INTEGER NOT NULL REFERENCES vpp_run(id) ON DELETE CASCADE,
  der         INTEGER NOT NULL,
  interval    INTEGER NOT NULL,
  forecast_kw REAL NOT NULL,
  actual_kw   REAL NOT NULL,
  PRIMARY KEY (run_id, der, interval)
) WITHOUT ROWID;

-- stage .3: screening value per DER over the season
CREATE TABLE vpp_opportunity (
  run_id      INTEGER NOT NULL REFERENCES vpp_run(id) ON DELETE CASCADE,
  der         INTEGER NOT NULL,
  arbitrage_micros     INTEGER NOT NULL,
  capacity_micros      INTEGER NOT NULL,
  dr_micros            INTEGER NOT NULL,
  demand_charge_micros INTEGER NOT NULL,
  total_micros         INTEGER NOT NULL,
  PRIMARY KEY (run_id, der)
) WITHOUT ROWID;

-- stage .4: the plan per DER and interval, and the fleet's bids
CREATE TABLE vpp_plan (
  run_id      INTEGER NOT NULL REFERENCES vpp_run(id) ON DELETE CASCADE,
  der         INTEGER NOT NULL,
  interval    INTEGER NOT NULL,
  charge_kw   REAL NOT NULL,
  discharge_kw REAL NOT NULL,
  state_kwh   REAL NOT NULL,
  PRIMARY KEY (run_id, der, interval)
) WITHOUT ROWID;

CREATE TABLE vpp_bid (
  run_id      INTEGER NOT NULL REFERENCES vpp_run(id) ON DELETE CASCADE,
  interval    INTEGER NOT NULL,
  quantity_kw REAL NOT NULL,                -- + injection / load reduction offered
  price_usd_per_mwh REAL NOT NULL,
  event_id    TEXT,
  PRIMARY KEY (run_id, interval)
) WITHOUT ROWID;

-- stage .5: what each DER did
CREATE TABLE vpp_dispatch (
  run_id      INTEGER NOT NULL REFERENCES vpp_run(id) ON DELETE CASCADE,
  der         INTEGER NOT NULL,
  interval    INTEGER NOT NULL,
  planned_kw  REAL NOT NULL,
  actual_kw   REAL NOT NULL,
  state_kwh   REAL NOT NULL,
  PRIMARY KEY (run_id, der, interval)
) WITHOUT ROWID;

-- stage .6: M&V per premise and event (both baselines), delivery per DER, settlement lines
CREATE TABLE vpp_performance (
  run_id      INTEGER NOT NULL REFERENCES vpp_run(id) ON DELETE CASCADE,
  event_id    TEXT NOT NULL,
  premise     TEXT NOT NULL,
  method      TEXT NOT NULL CHECK (method IN ('caiso-10in10','caltrack')),
  baseline_kwh  REAL NOT NULL,
  metered_kwh   REAL NOT NULL,
  delivered_kwh REAL NOT NULL,
  delivered_kw  REAL NOT NULL,
  adjustment    REAL,
  days_used     INTEGER NOT NULL,
  PRIMARY KEY (run_id, event_id, premise, method)
) WITHOUT ROWID;

CREATE TABLE vpp_delivery (
  run_id      INTEGER NOT NULL REFERENCES vpp_run(id) ON DELETE CASCADE,
  event_id    TEXT NOT NULL,
  der         INTEGER NOT NULL,
  telemetry_kwh REAL NOT NULL,
  delivered_kwh REAL NOT NULL,
  delivered_kw  REAL NOT NULL,
  PRIMARY KEY (run_id, event_id, der)
) WITHOUT ROWID;

CREATE TABLE vpp_settlement (
  run_id      INTEGER NOT NULL REFERENCES vpp_run(id) ON DELETE CASCADE,
  line        INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('energy','capacity','dr')),
  event_id    TEXT,
  interval    INTEGER,
  quantity    INTEGER NOT NULL,
  unit        TEXT NOT NULL,
  price_micros  INTEGER NOT NULL,
  amount_micros INTEGER NOT NULL,
  PRIMARY KEY (run_id, line)
) WITHOUT ROWID;

-- stage .7: payment per participant (statements are in the report)
CREATE TABLE vpp_distribution (
  run_id      INTEGER NOT NULL REFERENCES vpp_run(id) ON DELETE CASCADE,
  participant TEXT NOT NULL,
  ders        INTEGER NOT NULL,
  energy_out_kwh REAL NOT NULL,
  energy_in_kwh  REAL NOT NULL,
  event_kwh      REAL NOT NULL,
  energy_value_micros INTEGER NOT NULL,
  event_value_micros  INTEGER NOT NULL,
  weight_micros  INTEGER NOT NULL,
  payment_cents  INTEGER NOT NULL,
  PRIMARY KEY (run_id, participant)
) WITHOUT ROWID;
`;

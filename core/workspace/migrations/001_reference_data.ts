// Reference data that belongs to data-model version 1: codes every workspace shares.
// Energy canonical unit is kWh; gas volume is converted to energy by the dataset that
// needs it (heat content is a documented parameter, not a constant of the unit).

export const referenceData001 = /* sql */ `
INSERT INTO jurisdiction (code, name) VALUES ('NH', 'New Hampshire'), ('MA', 'Massachusetts');

INSERT INTO commodity (code, name, espi_kind) VALUES
  ('electricity', 'Electricity', 0),
  ('gas', 'Natural gas', 1),
  ('water', 'Water', 2),
  ('steam', 'Steam', NULL),
  ('propane', 'Propane', NULL),
  ('oil', 'Heating oil', NULL);

INSERT INTO unit (code, quantity, canonical, factor, espi_uom) VALUES
  ('Wh', 'energy', 'kWh', 0.001, 72),
  ('kWh', 'energy', 'kWh', 1, 72),
  ('MWh', 'energy', 'kWh', 1000, 72),
  ('therm', 'energy', 'kWh', 29.3071, 169),
  ('MMBtu', 'energy', 'kWh', 293.071, NULL),
  ('W', 'power', 'kW', 0.001, 38),
  ('kW', 'power', 'kW', 1, 38),
  ('MW', 'power', 'kW', 1000, 38),
  ('ft3', 'volume', 'ft3', 1, 119),
  ('CCF', 'volume', 'ft3', 100, 119),
  ('MCF', 'volume', 'ft3', 1000, 119),
  ('m3', 'volume', 'ft3', 35.3146667, 42),
  ('gal', 'volume', 'ft3', 0.133680556, NULL),
  ('kVArh', 'reactive', 'kVArh', 1, 73),
  ('PF', 'ratio', 'PF', 1, NULL),
  ('V', 'voltage', 'V', 1, 29);

INSERT INTO quality (code, name) VALUES
  (0, 'valid'), (1, 'estimated'), (2, 'edited'), (3, 'missing'), (4, 'failed');

INSERT INTO reading_type (commodity, unit, flow_direction, interval_seconds, accumulation, measure, name) VALUES
  ('electricity', 'kWh', 'forward', 3600, 'delta', 'energy', 'Electricity kWh hourly'),
  ('electricity', 'kWh', 'forward', 900, 'delta', 'energy', 'Electricity kWh 15-minute'),
  ('electricity', 'kWh', 'forward', 300, 'delta', 'energy', 'Electricity kWh 5-minute'),
  ('electricity', 'kWh', 'forward', 86400, 'delta', 'energy', 'Electricity kWh daily'),
  ('electricity', 'kWh', 'reverse', 3600, 'delta', 'energy', 'Electricity kWh hourly received'),
  ('electricity', 'kW', 'forward', 86400, 'indicating', 'demand', 'KW Daily'),
  ('electricity', 'kWh', 'forward', NULL, 'summation', 'energy', 'Electricity kWh register'),
  ('gas', 'therm', 'forward', 86400, 'delta', 'energy', 'Gas therms daily'),
  ('gas', 'CCF', 'forward', 86400, 'delta', 'volume', 'Gas CCF daily'),
  ('gas', 'CCF', 'forward', NULL, 'summation', 'volume', 'Gas CCF register'),
  ('water', 'gal', 'forward', 86400, 'delta', 'volume', 'Water gallons daily');

INSERT INTO platform_kind (kind, source_table) VALUES
  ('PremiseID', 'premise'),
  ('AddressID', 'address'),
  ('UsagePointID', 'usage_point'),
  ('PersonID', 'person'),
  ('OrgID', 'organization'),
  ('SensorID', 'meter'),
  ('AccountID', 'account'),
  ('AssetID', 'asset'),
  ('InstanceID', 'series'),
  ('TimePeriodID', 'time_period'),
  ('ProgramID', 'program'),
  ('BlockDefinitionID', 'block_definition'),
  ('RateClassID', 'rate_class');
`;

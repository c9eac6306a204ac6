// ESPI (NAESB REQ.21) code lists for the export: workspace terms → ESPI codes. They are the
// inverse of the import's tables (core/import/importers/greenbuttonXml.ts), so an exported file
// imports back to the same reading types; docs/greenbutton-export.md lists every mapping.
import { QUALITY } from '../metering/quality';

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
export const ESPI_NS = 'http://naesb.org/espi';

export type EspiVersion = '3.3' | '4.0';
export const ESPI_VERSIONS: readonly EspiVersion[] = ['3.3', '4.0'];

/** usage_point.commodity → UsagePoint ServiceCategory/kind (ServiceKind). */
export const SERVICE_KIND: Readonly<Record<string, number>> = {
  electricity: 0,
  gas: 1,
  water: 2,
  steam: 4, // heat
};

/** reading_type.commodity → ReadingType commodity (CommodityKind). */
export const COMMODITY_KIND: Readonly<Record<string, number>> = {
  electricity: 1, // electricity SecondaryMetered
  gas: 7, // naturalGas
  propane: 8,
  water: 9, // potableWater
  steam: 10,
};

export interface UomRule {
  /** UnitSymbolKind. */
  uom: number;
  /** value in the ESPI base unit = workspace value × 10^shift (kWh → Wh: 3). */
  shift: number;
}

/** Workspace unit → ESPI unit of measure and the decimal shift to it (exact: powers of ten). */
export const UOM: Readonly<Record<string, UomRule>> = {
  Wh: { uom: 72, shift: 0 },
  kWh: { uom: 72, shift: 3 },
  MWh: { uom: 72, shift: 6 },
  W: { uom: 38, shift: 0 },
  kW: { uom: 38, shift: 3 },
  MW: { uom: 38, shift: 6 },
  kVArh: { uom: 73, shift: 3 },
  therm: { uom: 169, shift: 0 },
  MMBtu: { uom: 132, shift: 6 }, // btu
  ft3: { uom: 119, shift: 0 },
  CCF: { uom: 119, shift: 2 },
  MCF: { uom: 119, shift: 3 },
  m3: { uom: 42, shift: 0 },
  gal: { uom: 128, shift: 0 }, // usGal
  V: { uom: 29, shift: 0 },
};

/** reading_type.accumulation → AccumulationKind. */
export const ACCUMULATION: Readonly<Record<string, number>> = {
  bulkQuantity: 1,
  cumulative: 3,
  delta: 4, // deltaData
  indicating: 6,
  summation: 9,
};

/** reading_type.flow_direction → FlowDirectionKind. */
export const FLOW: Readonly<Record<string, number>> = {
  forward: 1,
  net: 4,
  reverse: 19,
  total: 20,
};

/** reading_type.measure (and unit) → MeasurementKind. */
export function measurementKind(measure: string, unit: string): number {
  if (unit === 'V') return 54; // voltage
  if (measure === 'demand') return 8;
  if (measure === 'volume') return 58;
  if (measure === 'energy' || unit === 'kVArh') return 12;
  return 0;
}

/**
 * Normalised quality → ReadingQuality code (QualityOfReading); null: no ReadingQuality element
 * (valid), undefined: the reading is not written (missing: ESPI has no code for "no reading").
 */
export const READING_QUALITY: readonly (number | null | undefined)[] = (() => {
  const q: (number | null | undefined)[] = [];
  q[QUALITY.valid] = null;
  q[QUALITY.estimated] = 8; // estimated using reference day
  q[QUALITY.edited] = 7; // manually edited
  q[QUALITY.missing] = undefined;
  q[QUALITY.failed] = 10; // questionable
  return q;
})();

/** ISO 4217 numeric code of US dollars: edw keeps money in USD micro-dollars. */
export const CURRENCY_USD = 840;

/** ESPI integers are Int48. */
export const INT48_MAX = 140737488355328;

/** Characters XML 1.0 cannot carry (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/F). */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escape text for XML character data and attribute values (impossible characters → U+FFFD). */
export function xmlEscape(s: string): string {
  return s
    .replace(NOT_XML, '\uFFFD')
    .replace(/[&<>"']/g, (c) =>
      c === '&'
        ? '&amp;'
        : c === '<'
          ? '&lt;'
          : c === '>'
            ? '&gt;'
            : c === '"'
              ? '&quot;'
              : '&apos;',
    );
}

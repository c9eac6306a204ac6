// Native quantities → common energy units (kWh and MMBtu) for the multi-fuel and community
// datasets (docs/datasets.md "Energy conversion factors"). The fixed factors are those of
// core/metering/energy.ts (therm, MMBtu); the heat content of gas volume is a parameter of the
// dataset (default EIA's 1,037 Btu/ft³), because utilities bill with their own monthly factor.
// Pure: no Node imports.
import { KWH_PER_MMBTU, KWH_PER_THERM } from '../metering/energy';

/** EIA: average heat content of natural gas delivered to U.S. consumers, 2018 (Btu/ft³). */
export const DEFAULT_GAS_BTU_PER_CF = 1037;

/** Btu in one MMBtu; in one therm. */
const BTU_PER_MMBTU = 1_000_000;
const BTU_PER_THERM = 100_000;

/** Cubic feet per unit of gas volume. */
const CUBIC_FEET: Readonly<Record<string, number>> = {
  ft3: 1,
  CCF: 100,
  MCF: 1000,
  m3: 35.3146667,
};

const ELECTRIC_KWH: Readonly<Record<string, number>> = { Wh: 0.001, kWh: 1, MWh: 1000 };

export interface EnergyConversion {
  /** kWh per native unit. */
  kwhPerUnit: number;
  /** MMBtu per native unit. */
  mmbtuPerUnit: number;
  /** The rule as text, e.g. 'CCF gas: × 100 ft³ × 1037 Btu/ft³'. */
  rule: string;
}

/**
 * The conversion of a native unit of a commodity to kWh and MMBtu, or null when the quantity is
 * not energy (water volume, demand, reactive energy …).
 */
export function energyConversion(
  unit: string,
  commodity: string,
  gasBtuPerCf = DEFAULT_GAS_BTU_PER_CF,
): EnergyConversion | null {
  const e = ELECTRIC_KWH[unit];
  if (e !== undefined)
    return {
      kwhPerUnit: e,
      mmbtuPerUnit: e / KWH_PER_MMBTU,
      rule: `${unit === 'kWh' ? 'kWh' : `${unit} × ${e} kWh`}; MMBtu = kWh ÷ ${KWH_PER_MMBTU}`,
    };
  if (unit === 'therm')
    return {
      kwhPerUnit: KWH_PER_THERM,
      mmbtuPerUnit: BTU_PER_THERM / BTU_PER_MMBTU,
      rule: `therm × ${KWH_PER_THERM} kWh; therm = 0.1 MMBtu`,
    };
  if (unit === 'MMBtu')
    return { kwhPerUnit: KWH_PER_MMBTU, mmbtuPerUnit: 1, rule: `MMBtu × ${KWH_PER_MMBTU} kWh` };
  const cf = CUBIC_FEET[unit];
  if (cf !== undefined && commodity === 'gas') {
    const mmbtu = (cf * gasBtuPerCf) / BTU_PER_MMBTU;
    return {
      kwhPerUnit: mmbtu * KWH_PER_MMBTU,
      mmbtuPerUnit: mmbtu,
      rule: `${unit} gas = ${cf} ft³ × ${gasBtuPerCf} Btu/ft³; MMBtu × ${KWH_PER_MMBTU} kWh`,
    };
  }
  return null;
}

/** Derived energy values are rounded to 6 decimals (named rule: half up on the scaled value). */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Sums of stored readings are rounded to 9 decimals: removes binary noise, keeps every metered digit. */
export function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

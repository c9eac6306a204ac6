// Conversion of metered quantities to one common energy unit (kWh), for views that put fuels
// side by side (premise explorer, multi-fuel datasets). Pure: no Node imports (the renderer
// shows the factors). Every factor is a named rule, documented in docs/premise-explorer.md.

/** 1 therm = 100,000 Btu; 1 kWh = 3,412.14 Btu → 29.3071 kWh per therm (exact to 6 figures). */
export const KWH_PER_THERM = 29.3071;
/** 1 MMBtu (dekatherm) = 10 therms. */
export const KWH_PER_MMBTU = 293.071;
/**
 * Heat content of natural gas: 1,037 Btu per cubic foot (EIA, average heat content of natural
 * gas delivered to U.S. consumers, 2018), so 1 CCF (100 ft³) ≈ 1.037 therm. Utilities bill with
 * their own monthly therm factor; where the source gives therms, those are used as they are.
 */
export const THERMS_PER_CCF_GAS = 1.037;

/** Cubic feet per cubic metre (the workspace unit table's factor). */
const FT3_PER_M3 = 35.3146667;

export interface EnergyFactor {
  /** kWh per unit of the source quantity. */
  kwhPerUnit: number;
  /** The named rule, e.g. 'therm → kWh: × 29.3071'. */
  rule: string;
}

const ELECTRIC: Record<string, number> = { Wh: 0.001, kWh: 1, MWh: 1000 };

/**
 * The kWh factor of a unit for a commodity, or null when the quantity is not energy that can be
 * compared (water volume, demand kW, reactive energy …). Units are the workspace unit codes.
 */
export function energyFactor(unit: string, commodity: string): EnergyFactor | null {
  const e = ELECTRIC[unit];
  if (e !== undefined)
    return { kwhPerUnit: e, rule: unit === 'kWh' ? 'kWh' : `${unit} → kWh: × ${e}` };
  if (unit === 'therm')
    return { kwhPerUnit: KWH_PER_THERM, rule: `therm → kWh: × ${KWH_PER_THERM}` };
  if (unit === 'MMBtu')
    return { kwhPerUnit: KWH_PER_MMBTU, rule: `MMBtu → kWh: × ${KWH_PER_MMBTU}` };
  if (commodity === 'gas') {
    const perCcf = THERMS_PER_CCF_GAS * KWH_PER_THERM;
    if (unit === 'CCF')
      return {
        kwhPerUnit: perCcf,
        rule: `CCF gas → therm: × ${THERMS_PER_CCF_GAS}; therm → kWh: × ${KWH_PER_THERM}`,
      };
    if (unit === 'MCF')
      return {
        kwhPerUnit: perCcf * 10,
        rule: `MCF gas = 10 CCF; CCF → therm: × ${THERMS_PER_CCF_GAS}; therm → kWh: × ${KWH_PER_THERM}`,
      };
    if (unit === 'ft3')
      return {
        kwhPerUnit: perCcf / 100,
        rule: `ft³ gas = 0.01 CCF; CCF → therm: × ${THERMS_PER_CCF_GAS}; therm → kWh: × ${KWH_PER_THERM}`,
      };
    if (unit === 'm3')
      return {
        kwhPerUnit: (perCcf * FT3_PER_M3) / 100,
        rule: `m³ gas = ${FT3_PER_M3} ft³; CCF → therm: × ${THERMS_PER_CCF_GAS}; therm → kWh: × ${KWH_PER_THERM}`,
      };
  }
  return null;
}

/** The therm factor of a gas unit (for a "gas in therms" axis), or null. */
export function thermFactor(unit: string, commodity: string): number | null {
  if (unit === 'therm') return 1;
  if (unit === 'MMBtu') return 10;
  if (commodity !== 'gas') return null;
  if (unit === 'CCF') return THERMS_PER_CCF_GAS;
  if (unit === 'MCF') return THERMS_PER_CCF_GAS * 10;
  if (unit === 'ft3') return THERMS_PER_CCF_GAS / 100;
  if (unit === 'm3') return (THERMS_PER_CCF_GAS * FT3_PER_M3) / 100;
  return null;
}

/** Every rule, for documentation and result footnotes. */
export const ENERGY_RULES: readonly string[] = [
  'Wh → kWh: × 0.001; MWh → kWh: × 1000',
  `therm → kWh: × ${KWH_PER_THERM} (1 therm = 100,000 Btu; 1 kWh = 3,412.14 Btu)`,
  `MMBtu → kWh: × ${KWH_PER_MMBTU}`,
  `CCF gas → therm: × ${THERMS_PER_CCF_GAS} (1,037 Btu/ft³, EIA 2018 average heat content)`,
];

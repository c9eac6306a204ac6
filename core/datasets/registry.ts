// Every dataset definition. Adding a dataset: one module in defs/ and one line here.
import { EdwError } from '../workspace/errors';
import { core01Billing } from './defs/core01Billing';
import { core02Tou } from './defs/core02Tou';
import { core03Demand } from './defs/core03Demand';
import { core04MultiUtility } from './defs/core04MultiUtility';
import { core05MultiFuel } from './defs/core05MultiFuel';
import { core06Index } from './defs/core06Index';
import { t04Community } from './defs/t04Community';
import { p24Submeter } from './defs/p24Submeter';
import { t09System } from './defs/t09System';
import { t14Cca } from './defs/t14Cca';
import { t23Der } from './defs/t23Der';
import { t32Wap } from './defs/t32Wap';
import type { AnyDataset } from './types';

export const DATASETS: readonly AnyDataset[] = [
  core01Billing,
  core02Tou,
  core03Demand,
  core04MultiUtility,
  core05MultiFuel,
  core06Index,
  t04Community,
  t09System,
  t14Cca,
  t23Der,
  p24Submeter,
  t32Wap,
];

/** The definition of `name`, or a usage error listing the valid names. */
export function getDataset(name: string): AnyDataset {
  const def = DATASETS.find((d) => d.name === name);
  if (def) return def;
  const names = DATASETS.map((d) => d.name);
  throw new EdwError('usage', `unknown dataset "${name}"; datasets: ${names.join(', ')}`, {
    reason: 'unknown_dataset',
    datasets: names,
  });
}

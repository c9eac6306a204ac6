// Which importer reads which kind. Each importer lives in importers/<kind>.ts.
import type { ImportKind } from './profile';
import type { Importer } from './types';
import { importCis } from './importers/cis';
import { importIntervals } from './importers/intervals';
import { importReads } from './importers/reads';
import { importSubmeter } from './importers/submeter';
import { importTopology } from './importers/topology';
import { importDer } from './importers/der';
import { importPrograms } from './importers/programs';
import { importGreenButton } from './importers/greenbutton';
import { importTariff } from './importers/tariff';
import { importBill } from './importers/bill';

export const importers: Partial<Record<ImportKind, Importer>> = {
  cis: importCis,
  intervals: importIntervals,
  reads: importReads,
  submeter: importSubmeter,
  topology: importTopology,
  der: importDer,
  programs: importPrograms,
  greenbutton: importGreenButton,
  tariff: importTariff,
  bill: importBill,
};

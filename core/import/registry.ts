// Which importer reads which kind. Each importer lives in importers/<kind>.ts.
import type { ImportKind } from './profile';
import type { Importer } from './types';
import { importCis } from './importers/cis';

export const importers: Partial<Record<ImportKind, Importer>> = {
  cis: importCis,
};

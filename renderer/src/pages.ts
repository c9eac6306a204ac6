// The page registry: the nav, routing (#/<id>) and test ids (nav-<id>) all come from here.
// To add a page: write renderer/src/pages/<Name>Page.tsx with a default export and add one
// entry below (in nav order). Pages are loaded lazily, so heavy dependencies (ag-grid,
// echarts) stay out of the first screen.
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export type NavSection = 'Workspace' | 'Data' | 'Index' | 'Billing' | 'Datasets' | 'DER';

/** Nav sections in display order; a section shows only when it has pages. */
export const navSections: readonly NavSection[] = [
  'Workspace',
  'Data',
  'Index',
  'Billing',
  'Datasets',
  'DER',
];

export interface PageDef {
  /** Route (#/<id>) and nav test id (nav-<id>). */
  id: string;
  label: string;
  section: NavSection;
  /** Without an open workspace the app shows the Workspace page instead. */
  needsWorkspace: boolean;
  component: LazyExoticComponent<ComponentType>;
}

export const pages: readonly PageDef[] = [
  {
    id: 'workspace',
    label: 'Workspace',
    section: 'Workspace',
    needsWorkspace: false,
    component: lazy(() => import('./pages/WorkspacePage')),
  },
  {
    id: 'overview',
    label: 'Overview',
    section: 'Workspace',
    needsWorkspace: true,
    component: lazy(() => import('./pages/OverviewPage')),
  },
  {
    id: 'import',
    label: 'Import',
    section: 'Data',
    needsWorkspace: true,
    component: lazy(() => import('./pages/ImportPage')),
  },
  {
    id: 'greenbutton',
    label: 'Green Button',
    section: 'Data',
    needsWorkspace: true,
    component: lazy(() => import('./pages/GreenButtonPage')),
  },
  {
    id: 'index',
    label: 'Premise index',
    section: 'Index',
    needsWorkspace: true,
    component: lazy(() => import('./pages/IndexPage')),
  },
  {
    id: 'premise',
    label: 'Premises',
    section: 'Index',
    needsWorkspace: true,
    component: lazy(() => import('./pages/PremisePage')),
  },
  {
    id: 'bills',
    label: 'Bills',
    section: 'Billing',
    needsWorkspace: true,
    component: lazy(() => import('./pages/BillsPage')),
  },
  {
    id: 'datasets',
    label: 'Datasets',
    section: 'Datasets',
    needsWorkspace: true,
    component: lazy(() => import('./pages/DatasetsPage')),
  },
  {
    id: 'vpp',
    label: 'VPP simulation',
    section: 'DER',
    needsWorkspace: true,
    component: lazy(() => import('./pages/VppPage')),
  },
];

export const WORKSPACE_PAGE = 'workspace';
export const HOME_PAGE = 'overview';

export function findPage(id: string): PageDef | undefined {
  return pages.find((p) => p.id === id);
}

// Handlers for dataset.* methods.
import type { HandlerMap } from '../api/server';
import type { Session } from '../api/session';
import { exportDataset, listDatasets, previewDataset } from './run';

type DatasetMethods = 'dataset.list' | 'dataset.export' | 'dataset.preview';

export function datasetApp(session: Session): HandlerMap<DatasetMethods> {
  return {
    'dataset.list': () => listDatasets(),
    'dataset.export': (input, ctx) =>
      exportDataset(session.requireWorkspace(), input, {
        role: session.role,
        signal: ctx.signal,
        progress: ctx.progress,
      }),
    'dataset.preview': (input) =>
      previewDataset(session.requireWorkspace(), input, { role: session.role }),
  };
}

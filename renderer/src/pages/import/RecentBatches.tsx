// Recent import batches of the workspace (import.batches), newest first.
import type { ColDef } from 'ag-grid-community';
import { Grid } from '../../components/Grid';
import { Empty, Section } from '../../components/ui';
import { formatDateTime } from '../../lib/format';
import { useApiQuery } from '../../state/useApiQuery';
import type { Batch } from './model';

const columns: ColDef<Batch>[] = [
  { field: 'id', headerName: 'Batch', type: 'count', width: 80 },
  {
    field: 'startedAt',
    headerName: 'Started',
    valueFormatter: (p) =>
      typeof p.value === 'number' ? formatDateTime(new Date(p.value * 1000).toISOString()) : '',
    cellClass: 'cell-num',
  },
  { field: 'kind', headerName: 'Kind' },
  { field: 'org', headerName: 'Org', valueFormatter: (p) => (p.value as string | null) ?? '—' },
  { field: 'fileName', headerName: 'File', tooltipField: 'fileName' },
  { field: 'status', headerName: 'Status' },
  { field: 'rowsTotal', headerName: 'Rows', type: 'count' },
  { field: 'rowsAccepted', headerName: 'Accepted', type: 'count' },
  { field: 'rowsRejected', headerName: 'Rejected', type: 'count' },
];

const LIMIT = 50;

export function RecentBatches({ reloadKey }: { reloadKey: string | number }) {
  const q = useApiQuery('import.batches', { limit: LIMIT }, { reloadKey });
  const rows = q.data;
  return (
    <Section
      title="Recent imports"
      hint={`The last ${LIMIT} batches committed to this workspace (files that imported nothing leave no batch).`}
      actions={
        <button type="button" onClick={q.reload} disabled={q.loading}>
          Refresh
        </button>
      }
    >
      {rows === undefined ? (
        <Empty>{q.loading ? 'Loading…' : 'Could not load the batches.'}</Empty>
      ) : rows.length === 0 ? (
        <Empty>No imports yet.</Empty>
      ) : null}
      {rows && rows.length > 0 ? (
        <Grid<Batch>
          testId="import-batches-grid"
          rowData={rows}
          columnDefs={columns}
          height={rows.length > 10 ? 340 : undefined}
          getRowId={(p) => String(p.data.id)}
        />
      ) : null}
    </Section>
  );
}

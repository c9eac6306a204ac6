// AgGridReact with edw's defaults: sortable, filterable, resizable columns; number, quantity
// and date column types; the shared theme; columns sized to their content, then stretched or
// shrunk to the grid's width (override with `autoSizeStrategy`). Small tables size to their
// rows (autoHeight); pass `height` for big ones so ag-grid virtualises rows.
import { useCallback, useRef } from 'react';
import { AgGridReact, type AgGridReactProps } from 'ag-grid-react';
import type {
  AutoSizeStrategy,
  ColDef,
  ColTypeDef,
  ColumnResizedEvent,
  ValueFormatterParams,
} from 'ag-grid-community';
import { gridTheme } from './agGrid';
import { formatInt, formatNumber } from '../lib/format';

/**
 * Column types usable as `type` in a ColDef:
 * - `count`: integer, thousands separators, right-aligned, number filter;
 * - `quantity`: up to 2 decimals, otherwise as `count`;
 * - `day`: ISO date text (YYYY-MM-DD), text filter, tabular figures.
 */
export const columnTypes: Record<string, ColTypeDef> = {
  count: {
    filter: 'agNumberColumnFilter',
    valueFormatter: (p: ValueFormatterParams) => formatInt(p.value),
    cellClass: ['ag-right-aligned-cell', 'cell-num'],
    headerClass: 'ag-right-aligned-header',
  },
  quantity: {
    filter: 'agNumberColumnFilter',
    valueFormatter: (p: ValueFormatterParams) => formatNumber(p.value),
    cellClass: ['ag-right-aligned-cell', 'cell-num'],
    headerClass: 'ag-right-aligned-header',
  },
  day: {
    filter: 'agTextColumnFilter',
    cellClass: 'cell-num',
  },
};

const defaultColDef: ColDef = {
  sortable: true,
  filter: true,
  resizable: true,
  minWidth: 60,
};

/**
 * Columns fit their header and cell content, then scale up to fill the grid's width; re-run
 * when data, columns or the grid's size change, leaving columns the user resized alone.
 */
const fitContent: AutoSizeStrategy = {
  type: 'fitCellContents',
  scaleUpToFitGridWidth: true,
  continuous: true,
  defaultMaxWidth: 480,
};

const MIN_CAPPED_WIDTH = 140;

/**
 * Widths that fit `available` by lowering only the widest columns to one common cap (never
 * below `minCap`); null when the widths already fit or nothing can be gained.
 */
export function capWidths(widths: number[], available: number, minCap: number): number[] | null {
  const total = widths.reduce((s, w) => s + w, 0);
  if (available <= 0 || total <= available) return null;
  const sorted = [...widths].sort((a, b) => b - a);
  let capped = 0;
  let cap = minCap;
  for (let k = 0; k < sorted.length; k++) {
    capped += sorted[k]!;
    const rest = total - capped;
    const next = sorted[k + 1] ?? 0;
    const w = Math.floor((available - rest) / (k + 1));
    if (w >= next) {
      cap = Math.max(w, minCap);
      break;
    }
  }
  const out = widths.map((w) => Math.min(w, cap));
  // Hand the rounding remainder back, one pixel per capped column.
  let spare = available - out.reduce((s, w) => s + w, 0);
  for (let i = 0; i < out.length && spare > 0; i++) {
    if (widths[i]! > cap) {
      out[i]! += 1;
      spare--;
    }
  }
  return out.some((w, i) => w !== widths[i]) ? out : null;
}

export interface GridProps<T> extends Omit<AgGridReactProps<T>, 'theme'> {
  /** data-testid of the grid's container. */
  testId?: string;
  /** Fixed height in px; omitted: the grid grows with its rows (small tables only). */
  height?: number;
  className?: string;
}

export function Grid<T>({ testId, height, className, ...props }: GridProps<T>) {
  const box = useRef<HTMLDivElement>(null);
  const { onColumnResized } = props;

  // fitCellContents scales columns up to fill the width but never down: when the content is
  // wider than the grid, cap the widest columns (their text ends in an ellipsis) rather than
  // scroll a small table sideways.
  const onResized = useCallback(
    (e: ColumnResizedEvent<T>) => {
      if (e.finished && e.source === 'autosizeColumns' && props.autoSizeStrategy === undefined) {
        const available = (box.current?.clientWidth ?? 0) - 2; // the grid's 1px borders
        const columns = e.api.getAllDisplayedColumns();
        const widths = columns.map((c) => c.getActualWidth());
        const caps = capWidths(widths, available, MIN_CAPPED_WIDTH);
        if (caps) {
          e.api.setColumnWidths(
            columns.flatMap((c, i) =>
              caps[i] !== widths[i] ? [{ key: c, newWidth: caps[i]! }] : [],
            ),
            true,
            'sizeColumnsToFit',
          );
        }
      }
      onColumnResized?.(e);
    },
    [onColumnResized, props.autoSizeStrategy],
  );

  return (
    <div
      ref={box}
      className={['grid', className].filter(Boolean).join(' ')}
      data-testid={testId}
      style={height !== undefined ? { height } : undefined}
    >
      <AgGridReact<T>
        theme={gridTheme}
        defaultColDef={defaultColDef}
        columnTypes={columnTypes}
        domLayout={height === undefined ? 'autoHeight' : 'normal'}
        autoSizeStrategy={fitContent}
        autoSizePadding={6}
        enableCellTextSelection
        ensureDomOrder
        animateRows={false}
        {...props}
        onColumnResized={onResized}
      />
    </div>
  );
}

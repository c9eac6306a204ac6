// ag-grid setup, done once: only the community modules edw uses (keeps the bundle small),
// and the Quartz theme tuned for dense analyst tables. Add a module here when a page needs
// a feature ag-grid reports as missing (the ValidationModule names it in development).
import {
  CellStyleModule,
  ClientSideRowModelModule,
  ColumnApiModule,
  ColumnAutoSizeModule,
  CsvExportModule,
  DateFilterModule,
  InfiniteRowModelModule,
  ModuleRegistry,
  NumberFilterModule,
  PinnedRowModule,
  QuickFilterModule,
  RowStyleModule,
  TextFilterModule,
  TooltipModule,
  ValidationModule,
  themeQuartz,
  type Module,
} from 'ag-grid-community';

const modules: Module[] = [
  ClientSideRowModelModule,
  InfiniteRowModelModule,
  TextFilterModule,
  NumberFilterModule,
  DateFilterModule,
  QuickFilterModule,
  ColumnAutoSizeModule,
  ColumnApiModule,
  CellStyleModule,
  RowStyleModule,
  PinnedRowModule,
  TooltipModule,
  CsvExportModule,
];
if (import.meta.env.DEV) modules.push(ValidationModule);

ModuleRegistry.registerModules(modules);

export const gridTheme = themeQuartz.withParams({
  fontFamily: [
    'system-ui',
    '-apple-system',
    'Segoe UI',
    'Roboto',
    'Helvetica Neue',
    'Arial',
    'sans-serif',
  ],
  fontSize: 13,
  headerFontSize: 12,
  headerFontWeight: 600,
  spacing: 5,
  cellHorizontalPadding: 10,
  rowHeight: 28,
  headerHeight: 32,
  accentColor: '#2563eb',
  foregroundColor: '#1f2933',
  borderColor: '#dfe3e8',
  headerBackgroundColor: '#f4f6f8',
  oddRowBackgroundColor: '#fafbfc',
  wrapperBorderRadius: 4,
  // Small tables end at their last row (ag-grid's default keeps room for 5 or so).
  autoHeightMinBodyHeight: 28,
  browserColorScheme: 'light',
});

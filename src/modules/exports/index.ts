// What other modules use: the registration of a module's export sources (src/modules/composition.ts), and what the HTTP route reads.
export {
  connectionPage,
  EXPORT_PAGE_SIZE,
  exportSource,
  registerExportSource,
  type ExportColumn,
  type ExportSource,
  type ExportValue,
} from './export.registry';

/**
 * Exports for spreadsheets (`GET /export/<name>.csv|.xlsx`) as a registry: each module that owns a
 * list finance exports describes it as an `ExportSource` in its `<module>.export.ts` (the GraphQL
 * operation read page by page, and the columns of a row) and src/modules/composition.ts registers it
 * here. The HTTP route (src/server/exports-route.ts) knows no module: it runs a source's operation
 * through the schema with the request's context, so an export takes the same arguments, the same
 * token and the same permission checks as the GraphQL field it reads.
 */

/** How a column is written: text as is; a number or money as a number cell; a date (YYYY-MM-DD) or a time as a date cell. */
export type ExportColumnType = 'text' | 'number' | 'money' | 'date' | 'datetime' | 'boolean';

/** What a column reads from a row: GraphQL's values (a DateTime comes as a Date when the operation runs in the process). */
export type ExportValue = string | number | boolean | Date | null | undefined;

export interface ExportColumn<R> {
  header: string;
  type: ExportColumnType;
  value: (row: R) => ExportValue;
  /** For `money`: the row's ISO 4217 currency; the amount is written at its scale (minor units). */
  currency?: (row: R) => string | null | undefined;
}

export interface ExportSource<R = any> {
  /** The name in the path: `/export/<name>.csv`. */
  name: string;
  /** The worksheet's name (at most 31 characters). */
  sheet: string;
  /**
   * One GraphQL query document. When it declares `$first: Int` and `$after: String`, it is run page
   * by page (first = EXPORT_PAGE_SIZE, after = the cursor `read` returns) until `read` returns null.
   */
  document: string;
  /**
   * The input-object variable whose fields are query parameters (`filter`: `?budgetIds=…&from=…`).
   * The document's other variables (but $first and $after) are query parameters by their own name.
   */
  filterVariable?: string;
  /** A variable that may be repeated (`?key=a&key=b`): the document is run once per value, rows one after another. */
  each?: string;
  /** The rows of one result (run with `variables`) and the cursor of the next page (null: none); throws the kit's AppError (notFound, badInput) when the request named nothing that exists: sent as the field's errors are. */
  read: (data: any, variables: Record<string, any>) => { rows: R[]; after: string | null };
  columns: ReadonlyArray<ExportColumn<R>>;
}

/**
 * Rows asked for per page: ten times the connections' cap for a request (the export's context
 * raises the cap for its own reads only): an export of 100,000 rows takes 100 pages, not 1,000.
 */
export const EXPORT_PAGE_SIZE = 1000;

const sources = new Map<string, ExportSource>();

export function registerExportSource<R>(source: ExportSource<R>): void {
  if (sources.has(source.name)) throw new Error(`export source ${source.name} registered twice`);
  if (!/^[a-z][a-z0-9-]*$/.test(source.name)) throw new Error(`export source name ${source.name} is not lower-case kebab`);
  sources.set(source.name, source as ExportSource);
}

export function exportSource(name: string): ExportSource | undefined {
  return sources.get(name);
}

/** The registered sources, by name. */
export function exportSources(): ExportSource[] {
  return [...sources.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** `connection { pageInfo { hasNextPage endCursor } edges { node } }` → its nodes and the next cursor. */
export function connectionPage<N>(connection: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: N }> }) {
  return {
    nodes: connection.edges.map((e) => e.node),
    after: connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null,
  };
}

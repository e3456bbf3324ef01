import { storeOrganizationProgress, type Sql } from '../src/modules/okrs/okr-progress-store';

/** Bulk-loaded bench data gets its stored OKR progress and status like any organisation (backfill). */
export async function storeProgress(sql: (text: string, params?: unknown[]) => Promise<Array<Record<string, any>>>, organizationId: string): Promise<void> {
  await storeOrganizationProgress(sql as Sql, organizationId);
}

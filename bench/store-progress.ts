import { storeOrganizationProgress } from '../src/modules/okrs';

/** Bulk-loaded bench data gets its stored OKR progress and status like any organisation (backfill). */
export async function storeProgress(sql: (text: string, params?: unknown[]) => Promise<Array<Record<string, any>>>, organizationId: string): Promise<void> {
  await storeOrganizationProgress(sql as Parameters<typeof storeOrganizationProgress>[0], organizationId);
}

/** Stored OKR progress for bulk-loaded data: nothing is stored yet. */
export async function storeProgress(_sql: (text: string, params?: unknown[]) => Promise<Array<Record<string, any>>>, _organizationId: string): Promise<void> {}

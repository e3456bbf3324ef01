import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search: pg_trgm (a trusted extension shipped with PostgreSQL: the database owner may create
 * it) and one GIN trigram index per searchable table on the lower-cased text `search` reads, so
 * that `document LIKE '%word%'` is answered by the index for words of three characters or more.
 * An expression index is kept by PostgreSQL itself on every insert and update: no column, trigger
 * or service write to forget. Each expression must stay exactly the `document` of the module's
 * search source (src/modules/<module>/<module>.search.ts).
 */
const INDEXES: Array<[name: string, table: string, document: string]> = [
  ['objectives_search_trgm_idx', 'objectives', `lower(title || ' ' || coalesce(description, ''))`],
  ['key_results_search_trgm_idx', 'key_results', `lower(title)`],
  ['kpis_search_trgm_idx', 'kpis', `lower(name || ' ' || key || ' ' || definition)`],
  ['campaigns_search_trgm_idx', 'campaigns', `lower(name)`],
  ['sops_search_trgm_idx', 'sops', `lower(title || ' ' || purpose || ' ' || scope)`],
  ['tasks_search_trgm_idx', 'tasks', `lower(title || ' ' || coalesce(description, ''))`],
];

export class Search1764820000000 implements MigrationInterface {
  name = 'Search1764820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    for (const [name, table, document] of INDEXES) {
      await q.query(`CREATE INDEX ${name} ON ${table} USING gin ((${document}) gin_trgm_ops)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of [...INDEXES].reverse()) await q.query(`DROP INDEX ${name}`);
    await q.query(`DROP EXTENSION IF EXISTS pg_trgm`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search, two-character words: a trigram index cannot narrow a word of two characters (it has
 * no trigram), so `留存` read every row of the organisation. `search_bigrams(text)` is the
 * distinct two-character substrings of its argument (the document, already lower-cased), without
 * those holding ASCII whitespace (a query word never holds any: it is split on whitespace); one GIN index per searchable table on
 * `search_bigrams(<document>)` answers `search_bigrams(<document>) @> ARRAY['留存']`, which is
 * exact for a word of two characters (the `LIKE` stays as the recheck). Each expression must
 * stay exactly the `document` of the module's search source, like the trigram indexes
 * (migrations/1764820000000-Search.ts).
 */
const INDEXES: Array<[name: string, table: string, document: string]> = [
  ['objectives_search_bigram_idx', 'objectives', `lower(title || ' ' || coalesce(description, ''))`],
  ['key_results_search_bigram_idx', 'key_results', `lower(title)`],
  ['kpis_search_bigram_idx', 'kpis', `lower(name || ' ' || key || ' ' || definition)`],
  ['campaigns_search_bigram_idx', 'campaigns', `lower(name)`],
  ['sops_search_bigram_idx', 'sops', `lower(title || ' ' || purpose || ' ' || scope)`],
  ['tasks_search_bigram_idx', 'tasks', `lower(title || ' ' || coalesce(description, ''))`],
];

/** The function, as created here (bench/search-measure.ts creates the same one). */
export const CREATE_SEARCH_BIGRAMS = `
  CREATE FUNCTION search_bigrams(doc text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
      SELECT coalesce(array_agg(DISTINCT g), '{}')
        FROM (SELECT substr(doc, i, 2) AS g FROM generate_series(1, char_length(doc) - 1) AS i) s
       WHERE g !~ '[ \\t\\n\\r\\f\\v]'
    $$`;

export class SearchBigrams1764850000000 implements MigrationInterface {
  name = 'SearchBigrams1764850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(CREATE_SEARCH_BIGRAMS);
    for (const [name, table, document] of INDEXES) {
      await q.query(`CREATE INDEX ${name} ON ${table} USING gin (search_bigrams(${document}))`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of [...INDEXES].reverse()) await q.query(`DROP INDEX ${name}`);
    await q.query(`DROP FUNCTION search_bigrams(text)`);
  }
}

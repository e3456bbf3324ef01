/**
 * Bench data of `search` (deterministic, set-based like bench/generate.ts): 100,000 tasks of the
 * bench organisation (done, in no squad, assigned to nobody, so that no other workload reads
 * them), titled from a vocabulary of Chinese and English planning words so that a common
 * two-character word such as 留存 is in one row in ten (10,607 rows), with a description in one
 * row of three.
 */

type Sql = (text: string, params?: unknown[]) => Promise<Array<Record<string, any>>>;

export const BENCH_SEARCH_ROWS = 100_000;

/** Words of the generated titles (first a Chinese phrase, then an English word, then a number). */
export const SEARCH_VOCABULARY = {
  zh: ['创作者留存', '支付转化', '拉新活动', '直播复盘', '短视频投放', '周报整理', '社区运营', '达人合作', '用户增长', '会员续费', '内容审核', '商品上新'],
  en: ['retention', 'conversion', 'growth', 'weekly report', 'campaign', 'creator', 'funnel', 'onboarding', 'pricing', 'churn', 'referral', 'livestream', 'review'],
} as const;

export async function generateSearchRows(sql: Sql, seed: string, org: string, rows = BENCH_SEARCH_ROWS): Promise<void> {
  await sql(
    `INSERT INTO tasks (id, organization_id, title, description, status, created_at, updated_at)
     SELECT md5($1 || ':search-task:' || g)::uuid, $2,
            ($3::text[])[1 + g % array_length($3::text[], 1)] || ' ' || ($4::text[])[1 + (g / 7) % array_length($4::text[], 1)] || ' #' || g,
            CASE WHEN g % 3 = 0 THEN '跟进' || ($3::text[])[1 + (g / 11) % array_length($3::text[], 1)] || ' and the ' || ($4::text[])[1 + (g / 5) % array_length($4::text[], 1)] || ' numbers' END,
            'DONE', timestamp '2025-06-02' + g * interval '1 minute', timestamp '2025-06-02' + g * interval '1 minute'
       FROM generate_series(1, $5::int) g`,
    [seed, org, SEARCH_VOCABULARY.zh, SEARCH_VOCABULARY.en, rows],
  );
}

import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

/**
 * Every row these modules change or delete by hand is found by its organisation too: a
 * hand-written `UPDATE`/`DELETE` (SQL text, or TypeORM's `manager.update`/`manager.delete`
 * criteria) without `organization_id` would let a statement reach another organisation's row
 * whenever its id came from anywhere but this organisation's own rows. The kit's writes
 * (`updateWhere`, `updateRecorded`, `deleteRecorded`, `updateRowWhere`, `lockById`) filter by it
 * themselves.
 */
const MODULES = ['sops', 'tasks', 'squads'];
const ROOT = join(__dirname, '../../../src/modules');

function sources(): Array<{ file: string; text: string }> {
  return MODULES.flatMap((m) =>
    readdirSync(join(ROOT, m))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ file: `${m}/${f}`, text: readFileSync(join(ROOT, m, f), 'utf8') })),
  );
}

/** The string literals (quoted or template) of a source file. */
const literals = (text: string) => [...text.matchAll(/`[^`]*`|'[^'\n]*'|"[^"\n]*"/g)].map((m) => m[0]);

describe('hand-written writes of sops, tasks and squads', () => {
  it('filter UPDATE and DELETE statements by organization_id', () => {
    const unfiltered: string[] = [];
    for (const { file, text } of sources()) {
      for (const sql of literals(text)) {
        if (/\b(UPDATE\s+[a-z_]+\s+SET|DELETE\s+FROM)\b/.test(sql) && !/organization_id/.test(sql)) unfiltered.push(`${file}: ${sql.replace(/\s+/g, ' ')}`);
      }
    }
    expect(unfiltered).toEqual([]);
  });

  it('filter TypeORM update and delete criteria by organizationId', () => {
    const unfiltered: string[] = [];
    for (const { file, text } of sources()) {
      for (const m of text.matchAll(/manager\s*\.\s*(update|delete)\(\s*\w+\s*,\s*(\{[^}]*\}|[^,)]+)/g)) {
        if (!/organizationId/.test(m[2])) unfiltered.push(`${file}: ${m[0]}`);
      }
    }
    expect(unfiltered).toEqual([]);
  });

  it('would notice a missing filter (the check itself)', () => {
    expect(literals('q(`UPDATE sops SET draft_version_id = $1 WHERE id = $2`)').some((s) => /UPDATE\s+[a-z_]+\s+SET/.test(s) && !/organization_id/.test(s))).toBe(true);
  });
});

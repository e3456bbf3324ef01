import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The copy-paste examples of a section of docs/api.md: the `sh` blocks marked
 * `<!-- runnable example -->` (or `<!-- runnable example: refused -->` for one that shows an
 * error on purpose), each with the line before it as its title, so that a test runs them as they
 * are and they cannot rot.
 */
export const API_MD = path.resolve(__dirname, '../../docs/api.md');

export interface DocExample {
  title: string;
  code: string;
  /** What the block shows: data, or an error on purpose. */
  expect: 'data' | 'refused';
}

/** The text of `## <title>` up to the next `## `. */
export function docSection(title: string): string {
  const doc = fs.readFileSync(API_MD, 'utf8');
  const start = doc.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`docs/api.md has no section "${title}"`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

export function docExamples(title: string): DocExample[] {
  return [...docSection(title).matchAll(/([^\n]*)\n\n<!-- runnable example(: refused)? -->\n```sh\n([\s\S]*?)```/g)].map((m) => ({
    title: m[1],
    code: m[3],
    expect: m[2] ? 'refused' : 'data',
  }));
}

const execFileAsync = promisify(execFile);

/** Runs `code` with bash (-euo pipefail) and returns its stdout. */
export async function runExample(code: string, env: Record<string, string>, cwd?: string): Promise<string> {
  const { stdout } = await execFileAsync('bash', ['-euo', 'pipefail', '-c', code], { env: { ...process.env, ...env }, cwd, timeout: 30_000 });
  return stdout;
}

/** Every array in `value`, however deep. */
export function arrays(value: unknown): unknown[][] {
  if (Array.isArray(value)) return [value, ...value.flatMap(arrays)];
  if (value && typeof value === 'object') return Object.values(value).flatMap(arrays);
  return [];
}

import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The house, enforced: every import of src/ is read (with the TypeScript compiler's own
 * pre-processor: `import`, `import type`, `export … from`, dynamic `import()`), and every arrow
 * must run down the layers
 *
 *   config  ←  common  ←  db  ←  modules/<domain>  ←  registry, server  ←  main, cli
 *
 * - src/config.ts imports nothing of src/;
 * - src/common imports only common and config;
 * - src/db imports only db, common, config and migrations/;
 * - a module imports another module only through its index.ts, never src/server, the
 *   registry (src/modules/*.ts) or main/cli; and modules import each other without a loop;
 * - src/server composes the modules (through their index.ts or the registry).
 */

const ROOT = path.resolve(__dirname, '../../..');
const SRC = path.join(ROOT, 'src');

type Layer = 'config' | 'common' | 'db' | 'module' | 'registry' | 'server' | 'main' | 'migrations' | 'seeds' | 'outside';

interface Place {
  layer: Layer;
  /** For a module file: the module's name. */
  module?: string;
  /** For a module file: whether it is the module's index.ts. */
  isIndex?: boolean;
}

function placeOf(file: string): Place {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  if (rel.startsWith('migrations/')) return { layer: 'migrations' };
  if (rel.startsWith('seeds/')) return { layer: 'seeds' };
  if (!rel.startsWith('src/')) return { layer: 'outside' };
  const inSrc = rel.slice(4);
  if (inSrc === 'config.ts') return { layer: 'config' };
  if (inSrc === 'main.ts' || inSrc.startsWith('cli/')) return { layer: 'main' };
  const [top, second, ...rest] = inSrc.split('/');
  if (top === 'common') return { layer: 'common' };
  if (top === 'db') return { layer: 'db' };
  if (top === 'server') return { layer: 'server' };
  if (top === 'modules') {
    if (rest.length === 0 && second?.endsWith('.ts')) return { layer: 'registry' };
    return { layer: 'module', module: second, isIndex: rest.length === 1 && rest[0] === 'index.ts' };
  }
  return { layer: 'outside' };
}

/** Why the arrow `from` → `to` runs the wrong way, or null when it may exist. */
function wrongArrow(from: Place, to: Place): string | null {
  switch (from.layer) {
    case 'config':
      return to.layer === 'config' ? null : 'src/config imports nothing of the project';
    case 'common':
      return to.layer === 'common' || to.layer === 'config' ? null : 'src/common imports only common and config';
    case 'db':
      return ['db', 'common', 'config', 'migrations'].includes(to.layer) ? null : 'src/db imports no module, server or registry';
    case 'module':
      if (['common', 'config', 'db'].includes(to.layer)) return null;
      if (to.layer === 'module') {
        if (to.module === from.module) return null;
        return to.isIndex ? null : `a module imports module ${to.module} only through its index.ts`;
      }
      return `a module imports no ${to.layer === 'registry' ? 'registry (src/modules/*.ts)' : to.layer}`;
    case 'registry':
      if (['common', 'config', 'registry'].includes(to.layer)) return null;
      return to.layer === 'module' && to.isIndex ? null : 'the registry lists modules through their index.ts';
    case 'server':
      if (to.layer === 'main') return 'src/server imports no main/cli';
      return to.layer === 'module' && !to.isIndex ? `src/server composes module ${to.module} through its index.ts` : null;
    default:
      return null;
  }
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null; // a package
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${path.relative(ROOT, from)}: cannot resolve ${spec}`);
}

interface Arrow {
  from: string;
  to: string;
}

function importsOf(file: string): Arrow[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => resolveImport(file, f.fileName))
    .filter((to): to is string => to !== null)
    .map((to) => ({ from: file, to }));
}

function rel(file: string): string {
  return path.relative(ROOT, file).split(path.sep).join('/');
}

/** Module → modules it imports, and a loop among them if there is one. */
function moduleLoop(arrows: Arrow[]): string[] | null {
  const graph = new Map<string, Set<string>>();
  for (const a of arrows) {
    const from = placeOf(a.from);
    const to = placeOf(a.to);
    if (from.layer !== 'module' || to.layer !== 'module' || from.module === to.module) continue;
    if (!graph.has(from.module!)) graph.set(from.module!, new Set());
    graph.get(from.module!)!.add(to.module!);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (m: string): string[] | null => {
    if (state.get(m) === 'done') return null;
    if (state.get(m) === 'visiting') return [...stack.slice(stack.indexOf(m)), m];
    state.set(m, 'visiting');
    stack.push(m);
    for (const next of graph.get(m) ?? []) {
      const loop = visit(next);
      if (loop) return loop;
    }
    stack.pop();
    state.set(m, 'done');
    return null;
  };
  for (const m of graph.keys()) {
    const loop = visit(m);
    if (loop) return loop;
  }
  return null;
}

describe('dependency direction', () => {
  const files = sourceFiles(SRC);
  const arrows = files.flatMap(importsOf);

  it('reads the whole of src/', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(arrows.length).toBeGreaterThan(200);
  });

  it('has no arrow that runs the wrong way', () => {
    const wrong = arrows
      .map((a) => ({ a, why: wrongArrow(placeOf(a.from), placeOf(a.to)) }))
      .filter((x) => x.why)
      .map((x) => `${rel(x.a.from)} -> ${rel(x.a.to)}: ${x.why}`);
    expect(wrong).toEqual([]);
  });

  it('has no loop between modules', () => {
    expect(moduleLoop(arrows)).toBeNull();
  });

  it('flags the arrows the house forbids', () => {
    const at = (p: string) => placeOf(path.join(ROOT, p));
    const forbidden: Array<[string, string]> = [
      ['src/common/context.ts', 'src/server/event-bus.ts'],
      ['src/common/loaders.ts', 'src/db/transaction.ts'],
      ['src/common/x.ts', 'src/modules/okrs/index.ts'],
      ['src/config.ts', 'src/common/errors.ts'],
      ['src/db/data-source.ts', 'src/modules/entities.ts'],
      ['src/db/data-source.ts', 'src/modules/okrs/index.ts'],
      ['src/modules/tasks/tasks.service.ts', 'src/modules/okrs/okr.entity.ts'],
      ['src/modules/tasks/tasks.resolver.ts', 'src/server/context-factory.ts'],
      ['src/modules/okrs/okrs.resolver.ts', 'src/modules/resolvers.ts'],
      ['src/server/app.ts', 'src/modules/identity/authenticate.ts'],
    ];
    for (const [from, to] of forbidden) expect([from, to, wrongArrow(at(from), at(to))]).toEqual([from, to, expect.any(String)]);
    const allowed: Array<[string, string]> = [
      ['src/common/context.ts', 'src/config.ts'],
      ['src/db/transaction.ts', 'src/common/loaders.ts'],
      ['src/db/data-source.ts', 'migrations/index.ts'],
      ['src/modules/tasks/tasks.service.ts', 'src/modules/okrs/index.ts'],
      ['src/modules/tasks/tasks.service.ts', 'src/modules/tasks/task.entity.ts'],
      ['src/modules/okrs/okrs.resolver.ts', 'src/db/transaction.ts'],
      ['src/modules/entities.ts', 'src/modules/okrs/index.ts'],
      ['src/server/schema.ts', 'src/modules/resolvers.ts'],
      ['src/main.ts', 'src/server/app.ts'],
    ];
    for (const [from, to] of allowed) expect([from, to, wrongArrow(at(from), at(to))]).toEqual([from, to, null]);
  });

  it('finds a loop between modules', () => {
    const f = (m: string) => path.join(SRC, 'modules', m, 'index.ts');
    expect(moduleLoop([
      { from: f('identity'), to: f('audit') },
      { from: f('audit'), to: f('identity') },
    ])).toEqual(['identity', 'audit', 'identity']);
  });
});

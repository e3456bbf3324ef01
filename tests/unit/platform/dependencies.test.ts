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
 *
 * Beyond src/:
 * - migrations/ are frozen: a migration imports only typeorm and its own folder, never live code
 *   (a fresh database must migrate the same way whatever src/ becomes);
 * - seeds/ use the modules as any other consumer: only their front doors (index.ts),
 *   src/db/system-context.ts and src/common; and the seed of module X (seeds/X.ts) writes only
 *   the tables module X declares (`@Entity('<table>')` under src/modules/X); other seed files
 *   (demo.ts, ids.ts, rows.ts) write none.
 */

const ROOT = path.resolve(__dirname, '../../..');
const SRC = path.join(ROOT, 'src');
const MIGRATIONS = path.join(ROOT, 'migrations');
const SEEDS = path.join(ROOT, 'seeds');

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

/** The packages a migration may import. */
const MIGRATION_PACKAGES = new Set(['typeorm']);

/** Why a migration's import of `spec` (resolved to `to`, null for a package) is wrong, or null. */
function wrongMigrationImport(spec: string, to: string | null): string | null {
  if (to === null) return MIGRATION_PACKAGES.has(spec) ? null : `a migration imports no package but typeorm (${spec})`;
  return path.dirname(to) === MIGRATIONS ? null : 'a migration imports only from its own folder: it is frozen, never live code';
}

/** Why a seed's import of `to` (null for a package) is wrong, or null. */
function wrongSeedImport(to: string | null): string | null {
  if (to === null) return null;
  if (path.dirname(to) === SEEDS) return null;
  const place = placeOf(to);
  if (place.layer === 'common' || place.layer === 'config') return null;
  if (rel(to) === 'src/db/system-context.ts') return null;
  if (place.layer === 'module' && place.isIndex) return null;
  return place.layer === 'module'
    ? `a seed uses module ${place.module} only through its index.ts`
    : 'a seed imports only module front doors, src/db/system-context.ts and src/common';
}

interface Import {
  from: string;
  spec: string;
  /** The file, or null for a package. */
  to: string | null;
}

function importSpecs(file: string): Import[] {
  return ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => ({
    from: file,
    spec: f.fileName,
    to: resolveImport(file, f.fileName),
  }));
}

/** Table → module, from the `@Entity('<table>')` declarations under each module's directory. */
function tableOwners(): Map<string, string> {
  const owners = new Map<string, string>();
  for (const file of sourceFiles(path.join(SRC, 'modules'))) {
    const place = placeOf(file);
    if (place.layer !== 'module') continue;
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/@Entity\(\s*['"]([a-z0-9_]+)['"]/g)) owners.set(m[1], place.module!);
  }
  return owners;
}

/** The shared insert helper of the seeds (seeds/rows.ts): `insertRow(manager, '<table>', row)`. */
const INSERT_HELPER = 'insertRow';
/** SQL that writes a table, and the table (`${}` when named at run time). Keywords upper case, as the project writes SQL. */
const WRITE_SQL = [
  /\b(?:INSERT\s+INTO|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?|COPY)\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*|\$\{\})/g,
  /(?<!\b(?:DO|FOR|KEY)\s+)\bUPDATE\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*|\$\{\})/g,
];
const ORM_WRITES = new Set(['save', 'insert', 'upsert', 'update', 'delete', 'remove', 'softDelete', 'increment', 'decrement']);

interface TableWrite {
  line: number;
  /** The table, or null when the statement names it at run time. */
  table: string | null;
  how: string;
}

/** Every table a seed file writes: SQL in its strings, calls of the insert helper, ORM writes. */
function tableWrites(fileName: string, text: string): TableWrite[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const writes: TableWrite[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    let sql: string | null = null;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) sql = node.text;
    else if (ts.isTemplateExpression(node)) sql = node.head.text + node.templateSpans.map((span) => '${}' + span.literal.text).join('');
    if (sql !== null) {
      for (const pattern of WRITE_SQL) {
        for (const m of sql.matchAll(pattern)) writes.push({ line: lineOf(node), table: m[1] === '${}' ? null : m[1], how: m[0] });
      }
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee) && callee.text === INSERT_HELPER) {
        const arg = node.arguments[1];
        const table = arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) ? arg.text : null;
        writes.push({ line: lineOf(node), table, how: `${INSERT_HELPER}(…)` });
      } else if (ts.isPropertyAccessExpression(callee) && ORM_WRITES.has(callee.name.text)) {
        writes.push({ line: lineOf(node), table: null, how: `.${callee.name.text}(…)` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return writes;
}

/**
 * Writes of seeds that are allowed although they break the rule, each with its reason. Keep
 * this list short; an entry names the file and the table.
 */
const SEED_WRITE_EXCEPTIONS: Array<{ file: string; table: string; reason: string }> = [
  {
    file: 'seeds/rows.ts',
    table: '${}',
    reason: 'the shared insert helper itself: its callers name the table, and are checked',
  },
];

/** Why a write of the seed file `file` (relative to the root) is wrong, or null. */
function wrongSeedWrite(file: string, write: TableWrite, owners: Map<string, string>): string | null {
  const table = write.table ?? '${}';
  if (SEED_WRITE_EXCEPTIONS.some((e) => e.file === file && e.table === table)) return null;
  if (write.table === null) return `${write.how}: a seed writes with SQL that names its table, or through a front door`;
  const owner = owners.get(write.table);
  if (!owner) return `no module declares table ${write.table} (@Entity)`;
  const seedOf = path.basename(file, '.ts');
  if (!fs.existsSync(path.join(SRC, 'modules', seedOf))) return `${path.basename(file)} is no module's seed: it writes no table (${write.table} is ${owner}'s)`;
  return owner === seedOf ? null : `the ${seedOf} seed writes ${write.table}, module ${owner}'s table: use ${owner}'s front door or its seed`;
}

/** SQL that names a table it reads or writes (keywords upper case, as the project writes SQL). */
const TABLE_SQL = /\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*)\b/g;

/** Every table named in the SQL literals of `text` (string and template literals), with its line. */
function tablesNamed(fileName: string, text: string): Array<{ line: number; table: string }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: Array<{ line: number; table: string }> = [];
  const visit = (node: ts.Node): void => {
    let sql: string | null = null;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) sql = node.text;
    else if (ts.isTemplateExpression(node)) sql = node.head.text + node.templateSpans.map((span) => ' ' + span.literal.text).join('');
    if (sql !== null) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      for (const m of sql.matchAll(TABLE_SQL)) found.push({ line, table: m[1] });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Why the module file `file` naming `table` in its SQL breaks "never reads another module's tables", or null. */
function wrongTableRead(file: string, table: string, owners: Map<string, string>): string | null {
  const place = placeOf(file);
  if (place.layer !== 'module') return null;
  const owner = owners.get(table);
  if (!owner || owner === place.module) return null;
  return `module ${place.module} names ${table}, module ${owner}'s table: ask ${owner}'s front door (index.ts) for it`;
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

  it("a module's SQL names only the module's own tables", () => {
    const owners = tableOwners();
    const moduleFiles = files.filter((f) => placeOf(f).layer === 'module');
    const named = moduleFiles.flatMap((file) => tablesNamed(file, fs.readFileSync(file, 'utf8')).map((t) => ({ file, ...t })));
    expect(named.length).toBeGreaterThan(50);
    const wrong = named
      .map((n) => ({ n, why: wrongTableRead(n.file, n.table, owners) }))
      .filter((x) => x.why)
      .map((x) => `${rel(x.n.file)}:${x.n.line}: ${x.why}`);
    expect(wrong).toEqual([]);
  });

  it('flags SQL of a module that names another module\'s table, and only that', () => {
    const owners = tableOwners();
    const at = (p: string) => path.join(ROOT, p);
    const sql = (q: string) => tablesNamed('x.ts', `const q = \`${q}\`;`).map((t) => t.table);
    expect(sql('SELECT k.id FROM kpis k JOIN kpi_measurements m ON m.kpi_id = k.id WHERE k.organization_id = $1')).toEqual(['kpis', 'kpi_measurements']);
    expect(sql('WITH RECURSIVE up AS (SELECT 1) SELECT * FROM up')).toEqual(['up']);
    expect(wrongTableRead(at('src/modules/tasks/tasks.service.ts'), 'key_results', owners)).toEqual(expect.any(String));
    expect(wrongTableRead(at('src/modules/okrs/okrs.service.ts'), 'key_results', owners)).toBeNull();
    expect(wrongTableRead(at('src/modules/okrs/okrs.service.ts'), 'up', owners)).toBeNull();
    expect(wrongTableRead(at('src/common/loaders.ts'), 'key_results', owners)).toBeNull();
  });

  it('migrations import only typeorm and their own folder', () => {
    const files = sourceFiles(MIGRATIONS);
    expect(files.length).toBeGreaterThan(10);
    const wrong = files
      .flatMap(importSpecs)
      .map((i) => ({ i, why: wrongMigrationImport(i.spec, i.to) }))
      .filter((x) => x.why)
      .map((x) => `${rel(x.i.from)} -> ${x.i.spec}: ${x.why}`);
    expect(wrong).toEqual([]);
  });

  it('seeds import only front doors, the system context and src/common', () => {
    const files = sourceFiles(SEEDS);
    expect(files.length).toBeGreaterThan(5);
    const wrong = files
      .flatMap(importSpecs)
      .map((i) => ({ i, why: wrongSeedImport(i.to) }))
      .filter((x) => x.why)
      .map((x) => `${rel(x.i.from)} -> ${x.i.spec}: ${x.why}`);
    expect(wrong).toEqual([]);
  });

  it("a module's seed writes only the module's tables", () => {
    const owners = tableOwners();
    expect(owners.get('key_results')).toBe('okrs');
    expect(owners.size).toBeGreaterThan(30);
    const writes = sourceFiles(SEEDS).flatMap((file) =>
      tableWrites(file, fs.readFileSync(file, 'utf8')).map((w) => ({ file: rel(file), w })),
    );
    expect(writes.length).toBeGreaterThan(20);
    const wrong = writes
      .map(({ file, w }) => ({ file, w, why: wrongSeedWrite(file, w, owners) }))
      .filter((x) => x.why)
      .map((x) => `${x.file}:${x.w.line}: ${x.why}`);
    expect(wrong).toEqual([]);
  });

  it('flags the imports and writes that migrations and seeds must not have', () => {
    const owners = tableOwners();
    const m = (p: string) => path.join(ROOT, p);
    expect(wrongMigrationImport('../src/modules/okrs/okr-progress-store', m('src/modules/okrs/okr-progress-store.ts'))).toEqual(expect.any(String));
    expect(wrongMigrationImport('../src/common/periods', m('src/common/periods.ts'))).toEqual(expect.any(String));
    expect(wrongMigrationImport('decimal.js', null)).toEqual(expect.any(String));
    expect(wrongMigrationImport('typeorm', null)).toBeNull();
    expect(wrongMigrationImport('./1764201600000-Identity', m('migrations/1764201600000-Identity.ts'))).toBeNull();
    expect(wrongSeedImport(m('src/modules/kpis/kpi-state.ts'))).toEqual(expect.any(String));
    expect(wrongSeedImport(m('src/db/locks.ts'))).toEqual(expect.any(String));
    expect(wrongSeedImport(m('src/server/app.ts'))).toEqual(expect.any(String));
    expect(wrongSeedImport(m('src/modules/kpis/index.ts'))).toBeNull();
    expect(wrongSeedImport(m('src/db/system-context.ts'))).toBeNull();
    expect(wrongSeedImport(m('src/common/loaders.ts'))).toBeNull();
    expect(wrongSeedImport(null)).toBeNull();

    const writes = (file: string, text: string) => tableWrites(file, text).map((w) => wrongSeedWrite(file, w, owners));
    const planted = [
      "await m.query(`UPDATE key_results SET kpi_id = $2 WHERE id = $1`, [a, b]);",
      "await m.query('INSERT INTO tasks (id) VALUES ($1)', [a]);",
      'await m.query(`DELETE FROM check_ins WHERE id = $1`, [a]);',
      "await insertRow(m, 'tasks', { id });",
      'await m.query(`UPDATE ${table} SET x = 1`);',
      'await insertRow(m, table, { id });',
      "await m.getRepository(Task).save({ id });",
      "await m.query(`INSERT INTO nowhere (id) VALUES ($1)`, [a]);",
    ];
    for (const line of planted) expect([line, writes('seeds/kpis.ts', line)]).toEqual([line, [expect.any(String)]]);
    expect(writes('seeds/demo.ts', "await insertRow(m, 'organizations', { id });")).toEqual([expect.any(String)]);
    const fine = [
      "await m.query(`INSERT INTO kpis (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET name = 'x'`, [a]);",
      "await insertRow(m, 'kpi_alerts', { id });",
      'await m.query(`SELECT 1 FROM key_results WHERE id = $1 FOR UPDATE`, [a]);',
      "await m.query(`UPDATE kpis SET name = 'Update the docs' WHERE id = $1`, [a]);",
      "const note = 'Update the plan: delete from the list';",
    ];
    for (const line of fine) expect([line, writes('seeds/kpis.ts', line)]).toEqual([line, tableWrites('seeds/kpis.ts', line).map(() => null)]);
  });

  it('finds a loop between modules', () => {
    const f = (m: string) => path.join(SRC, 'modules', m, 'index.ts');
    expect(moduleLoop([
      { from: f('identity'), to: f('audit') },
      { from: f('audit'), to: f('identity') },
    ])).toEqual(['identity', 'audit', 'identity']);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * A module's front door (src/modules/<m>/index.ts) exports only what something outside the
 * module uses: another module, the registry (src/modules/*.ts), src/server, src/cli, src/main.ts,
 * seeds/ or bench/. Tests are not consumers (they may reach into a module). A name nobody outside
 * uses is an accidental API that another module could start to lean on.
 *
 * Uses are read with the TypeScript compiler: named imports and re-exports from the index (or the
 * module's folder), and `ns.X` after `import * as ns`.
 */

const ROOT = path.resolve(__dirname, '../../..');
const MODULES = path.join(ROOT, 'src', 'modules');
const CONSUMER_DIRS = ['src', 'seeds', 'bench'];

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const hasExport = (n: ts.Node) => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The names an index.ts exports; `*` for an `export * from`, which hides them. */
function exportedNames(text: string): string[] {
  const source = ts.createSourceFile('index.ts', text, ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  for (const s of source.statements) {
    if (ts.isExportDeclaration(s)) {
      if (!s.exportClause) names.push('*');
      else if (ts.isNamedExports(s.exportClause)) names.push(...s.exportClause.elements.map((e) => e.name.text));
      else names.push(s.exportClause.name.text);
    } else if (ts.isExportAssignment(s)) {
      names.push('default');
    } else if (hasExport(s)) {
      if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
      } else {
        const name = (s as { name?: ts.Node }).name;
        if (name && ts.isIdentifier(name)) names.push(name.text);
      }
    }
  }
  return names;
}

/** The names a file takes from each file it imports (resolved path → names). */
function namesUsed(file: string, text: string): Map<string, Set<string>> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const byTarget = new Map<string, Set<string>>();
  const namespaces = new Map<string, Set<string>>();
  for (const s of source.statements) {
    if (!(ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) || !s.moduleSpecifier || !ts.isStringLiteral(s.moduleSpecifier)) continue;
    const target = resolveImport(file, s.moduleSpecifier.text);
    if (!target) continue;
    const used = byTarget.get(target) ?? new Set<string>();
    byTarget.set(target, used);
    if (ts.isImportDeclaration(s)) {
      const clause = s.importClause;
      if (!clause) continue; // a side-effect import
      if (clause.name) used.add('default');
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) used.add((e.propertyName ?? e.name).text);
      if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, used);
    } else if (s.exportClause && ts.isNamedExports(s.exportClause)) {
      for (const e of s.exportClause.elements) used.add((e.propertyName ?? e.name).text);
    } else {
      used.add('*');
    }
  }
  if (namespaces.size > 0) {
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression)) namespaces.get(n.expression.text)?.add(n.name.text);
      if (ts.isQualifiedName(n) && ts.isIdentifier(n.left)) namespaces.get(n.left.text)?.add(n.right.text);
      ts.forEachChild(n, visit);
    };
    visit(source);
  }
  return byTarget;
}

/** The names a file takes from `index` (a module's index.ts). */
function namesUsedFrom(file: string, text: string, index: string): Set<string> {
  return namesUsed(file, text).get(index) ?? new Set();
}

describe('module front doors export only what is used outside the module', () => {
  const modules = fs
    .readdirSync(MODULES, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(MODULES, e.name, 'index.ts')))
    .map((e) => e.name);
  const consumers = CONSUMER_DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d))).map((f) => ({ file: f, uses: namesUsed(f, fs.readFileSync(f, 'utf8')) }));

  it('reads every module', () => {
    expect(modules).toEqual(expect.arrayContaining(['okrs', 'kpis', 'budgets', 'campaigns', 'sops', 'squads', 'tasks', 'identity']));
  });

  it('exports no name that nothing outside the module uses', () => {
    const unused: string[] = [];
    for (const m of modules) {
      const index = path.join(MODULES, m, 'index.ts');
      const dir = path.join(MODULES, m) + path.sep;
      const used = new Set<string>();
      for (const c of consumers) {
        if (c.file.startsWith(dir)) continue; // the module itself
        for (const name of c.uses.get(index) ?? []) used.add(name);
      }
      for (const name of exportedNames(fs.readFileSync(index, 'utf8'))) {
        if (name === '*') unused.push(`${rel(index)}: export * (name what the module exports)`);
        else if (!used.has(name) && !used.has('*')) unused.push(`${rel(index)}: ${name}`);
      }
    }
    expect(unused).toEqual([]);
  });

  it('reads exports and uses the way TypeScript does', () => {
    const index = path.join(MODULES, 'okrs', 'index.ts');
    expect(
      exportedNames(`
        import { A } from './a';
        export { B, C as D, type E } from './b';
        export * from './c';
        export const F = 1, G = 2;
        export function H() {}
        export class I {}
        export interface J {}
        export type K = string;
        export enum L { X }
        const M = 1;
        export { M };
        export default A;
      `),
    ).toEqual(['B', 'D', 'E', '*', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'default']);
    const from = path.join(MODULES, 'tasks', 'tasks.service.ts');
    const used = namesUsedFrom(
      from,
      `
        import { A, B as Bee, type C } from '../okrs';
        import type { D } from '../okrs/index';
        import * as okrs from '../okrs';
        import '../okrs';
        import { Z } from '../kpis';
        export { E } from '../okrs';
        const x: okrs.F = okrs.G(1);
      `,
      index,
    );
    expect([...used].sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
  });
});

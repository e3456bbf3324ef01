import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The kit (src/common, and src/db for locks and conditional updates) has one copy of each part
 * that modules used to write for themselves. This test reads every .ts file of src/ outside
 * src/common with the TypeScript compiler and fails on a local copy, named with file and line:
 *
 * - role-set: two or more `Role.X` in one list (an array literal, or the arguments of
 *   `@Authorized(...)`): use a named set of src/common/access.ts (ADMINS, WRITERS, MANAGERS, ...);
 * - error-class: in a module, a class extending Error (or AppError, RuleViolation, RangeError,
 *   TypeError); anywhere, a class named like a rule violation: rules throw the kit's
 *   `RuleViolation` (src/common/rules.ts), mapped in one place;
 * - week-start: `getUTCDay()` / `getDay()` in arithmetic (`(d.getUTCDay() + 6) % 7`,
 *   `d.getUTCDay() || 7`), or SQL bucketing by hand (`date_trunc('week'`, `date_trunc($1`,
 *   `date_trunc(${…}`, `extract(isodow`/`dow`): use src/common/periods.ts (`bucketStart`,
 *   `periodSql`);
 * - id-decode: a local `uuidOf` / `fromGlobalId` / `decodeGlobalId` declaration, or, in a service
 *   or resolver, `decodeGlobalId(…).id` (a decode that ignores the type): use `@GlobalIdOf`,
 *   the kit's `fromGlobalId(id, Type, field)` or `metaMatches`;
 * - hand-context: `… as unknown as Context`: use `systemContext()` (src/db/system-context.ts);
 * - row-lock: outside src/db, a hand-written `FOR UPDATE` / `FOR NO KEY UPDATE` of rows chosen by
 *   id (`id = $1`, `x.id = ANY(…)`, or a WHERE built at run time), or a TypeORM pessimistic lock
 *   in a statement that selects by id: use `lockById`/`lockByIds`/`lockIds` (src/db/locks.ts) or
 *   `updateWhere`. Not counted: a queue claim (`FOR UPDATE SKIP LOCKED`, which the kit has no
 *   part for) and a lock by another key (a token hash, all of an organisation's members).
 *
 * seeds/, bench/ and tests/ are read for hand-built contexts too.
 *
 * Only SQL in string and template literals counts (comments and docs may name the patterns).
 * A justified exception goes into ALLOWED with its reason.
 */

const ROOT = path.resolve(__dirname, '../../..');
const SRC = path.join(ROOT, 'src');

type Pattern = 'role-set' | 'error-class' | 'week-start' | 'day-arithmetic' | 'id-decode' | 'hand-context' | 'row-lock';

interface Hit {
  file: string;
  line: number;
  pattern: Pattern;
  /** The source line, trimmed. */
  text: string;
}

/** Justified places: file, pattern, a piece of the line, and why. */
const ORGANIZATION_ROW = 'the organisation row itself: lockById always filters by organization_id, which organizations has not';
const USER_ROW = 'a user row: users belong to no organisation, so not lockById\'s case';
const ALLOWED: Array<{ file: string; pattern: Pattern; contains: string; reason: string }> = [
  { file: 'src/modules/identity/api-token.service.ts', pattern: 'row-lock', contains: 'FROM organizations WHERE id = $1 FOR', reason: ORGANIZATION_ROW },
  { file: 'src/modules/identity/organization.service.ts', pattern: 'row-lock', contains: 'FROM organizations WHERE id = $1 FOR', reason: ORGANIZATION_ROW },
  {
    file: 'src/modules/identity/account-pages.ts',
    pattern: 'error-class',
    contains: 'class PageError extends Error',
    reason: 'the HTML account pages answer a form with an HTTP status; no GraphQL rule violation',
  },
  {
    file: 'src/modules/identity/invitations.service.ts',
    pattern: 'row-lock',
    contains: 'FROM invitations',
    reason: 'an invitation found by its token hash, for an invitee who does not act in its organisation yet',
  },
  { file: 'src/modules/identity/invitations.service.ts', pattern: 'row-lock', contains: "setLock('pessimistic_write')", reason: USER_ROW },
  { file: 'src/modules/identity/password-reset.service.ts', pattern: 'row-lock', contains: "setLock('pessimistic_write')", reason: USER_ROW },
  { file: 'src/modules/identity/profile.service.ts', pattern: 'row-lock', contains: "lock: { mode: 'pessimistic_write' }", reason: USER_ROW },
  {
    file: 'src/modules/okrs/okr-progress-store.ts',
    pattern: 'row-lock',
    contains: 'FROM objectives WHERE organization_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR NO KEY UPDATE',
    reason: 'runs on a bare pg client (bench, stored-progress refresh) without a request context; the same statement as lockIds',
  },
  {
    file: 'src/modules/okrs/check-in-statements.ts',
    pattern: 'row-lock',
    contains: 'WITH RECURSIVE k AS (',
    reason:
      'a check-in finds the objective chain above its key result and locks it (in the organisation, in id order, as lockIds does) in the statement that reads the key result, its cycle and the squad lead: one round trip instead of three',
  },
];

const ERROR_BASES = new Set(['Error', 'AppError', 'RuleViolation', 'RangeError', 'TypeError']);
const RULE_LIKE_NAME = /^RuleViolation$|Violation$|^Rule[A-Z]|(Rule|Rules|Formula|Limits?|Validation)Error$/;
const ARITHMETIC = new Set([
  ts.SyntaxKind.PlusToken,
  ts.SyntaxKind.MinusToken,
  ts.SyntaxKind.AsteriskToken,
  ts.SyntaxKind.SlashToken,
  ts.SyntaxKind.PercentToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
]);
const WEEK_SQL = [/date_trunc\s*\(\s*(?:'week'|\$\d+|\$\{\}|:\w+)/i, /(?:extract\s*\(\s*|date_part\s*\(\s*')(?:iso)?dow\b/i];
const LOCK_SQL = /\bFOR\s+(?:NO\s+KEY\s+)?UPDATE\b(?!\s+SKIP\s+LOCKED)/;
/** A condition on the row's id (`id = $1`, `s.id = ANY($2)`, `id = :id`), or a WHERE built at run time. */
const BY_ID_SQL = /(?<![\w$])(?:[a-z_]+\.)?id\s*=\s*(?:\$\d|\$\{\}|ANY\b|:\w)|\bWHERE\s+\$\{\}/i;
/** An ORM statement choosing by id (`'u.id = :id'`, `{ id: userId }`). */
const BY_ID_ORM = /(?<![\w$.])(?:[a-z_]+\.)?id\s*(?:=\s*:|:\s)/;
const ORM_LOCK_MODES = new Set(['pessimistic_write', 'pessimistic_read', 'pessimistic_partial_write', 'pessimistic_write_or_fail', 'for_no_key_update', 'for_key_share']);
const DECODER_NAMES = new Set(['uuidOf', 'fromGlobalId', 'decodeGlobalId']);
/** Date setters that move a day or a month by hand (periods.ts has addDays and addMonths). */
const DAY_SETTERS = new Set(['setUTCDate', 'setDate', 'setUTCMonth', 'setMonth', 'setUTCFullYear', 'setFullYear']);
const MS_PER_DAY = 86_400_000;

/** The value of a product of numeric literals (`24 * 3600 * 1000`), or null for anything else. */
function constantProduct(n: ts.Node): number | null {
  if (ts.isNumericLiteral(n)) return Number(n.text.replace(/_/g, ''));
  if (ts.isParenthesizedExpression(n)) return constantProduct(n.expression);
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const l = constantProduct(n.left);
    const r = constantProduct(n.right);
    return l === null || r === null ? null : l * r;
  }
  return null;
}
const isProductPart = (n: ts.Node) =>
  (ts.isBinaryExpression(n.parent) && n.parent.operatorToken.kind === ts.SyntaxKind.AsteriskToken) || ts.isParenthesizedExpression(n.parent);

const isRole = (e: ts.Node) =>
  (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) && ts.isIdentifier(e.expression) && e.expression.text === 'Role';

const unparen = (n: ts.Node): ts.Node => (ts.isParenthesizedExpression(n.parent) ? unparen(n.parent) : n);

const enclosingStatement = (n: ts.Node): ts.Node => {
  let s = n;
  while (s.parent && !ts.isSourceFile(s.parent) && !ts.isBlock(s.parent)) s = s.parent;
  return s;
};

const nameOf = (n: ts.Node): string | null => {
  const name = (n as { name?: ts.Node }).name;
  return name && ts.isIdentifier(name) ? name.text : null;
};

/** The text of a string or template literal, `${}` standing for each substitution. */
function literalText(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => '${}' + s.literal.text).join('');
  return null;
}

/** The local copies of kit parts in one file (`file` relative to the root, `/`-separated). */
function scan(file: string, text: string): Hit[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = text.split('\n');
  const inModule = file.startsWith('src/modules/');
  const inDb = file.startsWith('src/db/');
  const serviceOrResolver = /\.(service|resolver)\.ts$/.test(file);
  const hits: Hit[] = [];
  const hit = (node: ts.Node, pattern: Pattern) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    hits.push({ file, line, pattern, text: lines[line - 1].trim() });
  };

  const visit = (node: ts.Node): void => {
    // role-set: two or more Role.X in one array literal or @Authorized(...) argument list.
    if (ts.isArrayLiteralExpression(node) && node.elements.filter(isRole).length >= 2) hit(node, 'role-set');
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'Authorized' &&
      node.arguments.filter(isRole).length >= 2
    ) {
      hit(node, 'role-set');
    }

    // error-class
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      const base = node.heritageClauses
        ?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)
        ?.types[0]?.expression;
      const baseName = base && ts.isIdentifier(base) ? base.text : null;
      const name = node.name?.text ?? '';
      if ((baseName && ERROR_BASES.has(baseName) && inModule) || RULE_LIKE_NAME.test(name)) hit(node, 'error-class');
    }

    // week-start in TypeScript: getUTCDay()/getDay() as an operand of arithmetic.
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ['getUTCDay', 'getDay'].includes(node.expression.name.text)
    ) {
      const outer = unparen(node);
      const parent = outer.parent;
      if ((ts.isBinaryExpression(parent) && ARITHMETIC.has(parent.operatorToken.kind)) || (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.MinusToken)) {
        hit(node, 'week-start');
      }
    }

    // day-arithmetic: milliseconds per day (`24 * 3600 * 1000`, `86400000`) or a Date setter moving days or months.
    if ((ts.isNumericLiteral(node) || ts.isBinaryExpression(node)) && !isProductPart(node) && constantProduct(node) === MS_PER_DAY) {
      hit(node, 'day-arithmetic');
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && DAY_SETTERS.has(node.expression.name.text)) {
      hit(node, 'day-arithmetic');
    }

    // id-decode
    if (
      (ts.isFunctionDeclaration(node) || ts.isVariableDeclaration(node) || ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node)) &&
      DECODER_NAMES.has(nameOf(node) ?? '')
    ) {
      hit(node, 'id-decode');
    }
    if (
      serviceOrResolver &&
      ts.isPropertyAccessExpression(node) &&
      node.name.text === 'id' &&
      (() => {
        let e: ts.Expression = node.expression;
        while (ts.isNonNullExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
        return ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'decodeGlobalId';
      })()
    ) {
      hit(node, 'id-decode');
    }

    // hand-context: x as unknown as Context (or as any as Context).
    if (
      ts.isAsExpression(node) &&
      /\bContext\b/.test(node.type.getText(source)) &&
      ts.isAsExpression(node.expression) &&
      [ts.SyntaxKind.UnknownKeyword, ts.SyntaxKind.AnyKeyword].includes(node.expression.type.kind)
    ) {
      hit(node, 'hand-context');
    }

    // SQL in literals: week-start bucketing and row locks.
    const sql = literalText(node);
    if (sql !== null) {
      if (WEEK_SQL.some((re) => re.test(sql))) hit(node, 'week-start');
      if (!inDb && LOCK_SQL.test(sql) && BY_ID_SQL.test(sql)) hit(node, 'row-lock');
      if (!inDb && ORM_LOCK_MODES.has(sql) && BY_ID_ORM.test(enclosingStatement(node).getText(source))) hit(node, 'row-lock');
    }

    ts.forEachChild(node, visit);
  };
  visit(source);
  const seen = new Set<string>();
  return hits.filter((h) => {
    const key = `${h.line}:${h.pattern}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');
const allowed = (h: Hit) => ALLOWED.some((a) => a.file === h.file && a.pattern === h.pattern && h.text.includes(a.contains));
const show = (h: Hit) => `${h.file}:${h.line}: ${h.pattern}: ${h.text}`;

describe('kit guard: no local copy of a kit part outside src/common', () => {
  const files = sourceFiles(SRC).filter((f) => !rel(f).startsWith('src/common/'));
  const hits = files.flatMap((f) => scan(rel(f), fs.readFileSync(f, 'utf8')));

  it('reads src/ outside src/common', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('finds no role set, rule error class, week-start formula, day arithmetic, local id decode, hand-built context or hand-written row lock', () => {
    expect(hits.filter((h) => !allowed(h)).map(show)).toEqual([]);
  });

  it('seeds, bench and tests build no context by hand either', () => {
    const others = ['seeds', 'bench', 'tests'].flatMap((d) => sourceFiles(path.join(ROOT, d)));
    expect(others.length).toBeGreaterThan(100);
    const found = others.flatMap((f) => scan(rel(f), fs.readFileSync(f, 'utf8')).filter((h) => h.pattern === 'hand-context'));
    expect(found.map(show)).toEqual([]);
  });

  it('catches each pattern planted once, and not its look-alikes', () => {
    const planted: Array<[Pattern, string]> = [
      ['role-set', 'const EDITORS = [Role.OWNER, Role.ADMIN, Role.SQUAD_LEAD];'],
      ['role-set', 'if ([Role.OWNER, Role.ADMIN].includes(ctx.role!)) return;'],
      ['role-set', 'class R { @Authorized(Role.OWNER, Role.ADMIN) m() {} }'],
      ['error-class', 'export class FormulaError extends Error {}'],
      ['error-class', 'class RuleViolation extends Error {}'],
      ['error-class', 'class TooMany extends AppError {}'],
      ['week-start', 'const monday = addDays(day, -((day.getUTCDay() + 6) % 7));'],
      ['week-start', 'const dow = d.getUTCDay() || 7;'],
      ['week-start', "await m.query(`SELECT date_trunc('week', incurred_on)::date FROM expenses`);"],
      ['week-start', 'await m.query(`SELECT date_trunc($2, period_start) FROM kpi_measurements`);'],
      ['week-start', 'await m.query(`SELECT date_trunc(${grain}, d) FROM x`);'],
      ['week-start', "await m.query(`SELECT d - (extract(isodow from d)::int - 1) FROM x`);"],
      ['day-arithmetic', 'const DAY_MS = 24 * 3600 * 1000;'],
      ['day-arithmetic', 'const n = Math.floor(Date.parse(day) / 86_400_000);'],
      ['day-arithmetic', 'const ms = (24 * 60) * 60 * 1000;'],
      ['day-arithmetic', 'd.setUTCDate(d.getUTCDate() + days);'],
      ['day-arithmetic', 'next.setUTCMonth(next.getUTCMonth() + 1);'],
      ['id-decode', 'const uuidOf = (id: string) => decodeGlobalId(id)?.id;'],
      ['id-decode', 'function fromGlobalId(id: string) { return id; }'],
      ['id-decode', 'const cycle = decodeGlobalId(filter.cycleId)?.id;'],
      ['hand-context', 'const ctx = { organizationId, manager: m } as unknown as Context;'],
      ['hand-context', 'const ctx = {} as any as Context & { n: number };'],
      ['row-lock', 'await m.query(`SELECT 1 FROM budgets WHERE id = $1 FOR UPDATE`, [id]);'],
      ['row-lock', "await m.query('SELECT 1 FROM objectives WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE', [ids]);"],
      ['row-lock', "await qb.setLock('pessimistic_write').where('u.id = :id', { id }).getOne();"],
      ['row-lock', "await m.findOneOrFail(User, { where: { id: userId }, lock: { mode: 'pessimistic_write' } });"],
      ['row-lock', 'await m.query(`SELECT id FROM invitations WHERE ${byToken ? "token_hash = $1" : "id = $1"} FOR UPDATE`, [k]);'],
      ['row-lock', 'await m.query(`SELECT 1 FROM kpis WHERE organization_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`, [o, ids]);'],
    ];
    for (const [pattern, line] of planted) {
      expect([line, scan('src/modules/x/x.service.ts', line).map((h) => h.pattern)]).toEqual([line, [pattern]]);
    }
    const lookAlikes = [
      '@Authorized(...WRITERS) m() {}',
      'const ok = ctx.role === Role.OWNER;',
      'const roles = [Role.OWNER];',
      'const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;',
      'const HOUR_MS = 3600 * 1000;',
      'const timeout = 24 * 3600;',
      'const day = d.getUTCDate();',
      "await m.query(`SELECT date_trunc('month', d) FROM x`);",
      '// a comment may say FOR UPDATE and date_trunc(\'week\', d)',
      "const message = 'Ready for update';",
      'await m.query(`SELECT id FROM mail_outbox WHERE sent_at IS NULL ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`);',
      'await m.query(`SELECT user_id FROM password_resets WHERE token_hash = $1 FOR UPDATE`, [h]);',
      "await qb.setLock('pessimistic_write').where('m.organization_id = :org', { org }).getMany();",
      'await m.query(`SELECT 1 FROM t WHERE user_id = $1 FOR UPDATE`, [u]);',
      'const { id } = fromGlobalId(input.id, "Budget", "id");',
      'const d = decodeGlobalId(subjectId); if (d?.type !== "Campaign") throw e;',
      'const ctx = systemContext(m, org);',
      'const n = value as unknown as number;',
      'class Page extends Base {}',
    ];
    for (const line of lookAlikes) expect([line, scan('src/modules/x/x.resolver.ts', line)]).toEqual([line, []]);
    // src/db holds the kit's locks; outside modules, only rule-like names are local error classes.
    expect(scan('src/db/locks.ts', 'await m.query(`SELECT 1 FROM t WHERE id = $1 FOR UPDATE`);')).toEqual([]);
    expect(scan('src/main.ts', 'class StartInterrupted extends Error {}')).toEqual([]);
    expect(scan('src/server/x.ts', 'class RuleViolation extends Error {}').map((h) => h.pattern)).toEqual(['error-class']);
  });
});

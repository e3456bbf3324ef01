/**
 * The lean read of `kpiTree`: when an operation asks the tree only for fields listed here (the
 * KPI's own columns and its latest measurement, the shape of a dashboard's driver tree), one
 * statement returns exactly those columns, every value already in its API text form (Decimals
 * as `trim_scale(…)::text`, dates as YYYY-MM-DD), and the rows become the response objects
 * without entity mapping, Decimal or Date objects. Any other field (owner, children, thresholds,
 * createdAt…) reads the tree as entities (kpi-state.ts `subtrees`), so the answer never depends
 * on this path. The SQL per field is declared here, beside the entity, in one table.
 */
import type { FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { Context } from '../../common/context';
import { Kpi, type KpiMeasurement } from './kpi.entity';
import { preloadedLatest, treeCte, type TreeRoots } from './kpi-state';

/** `Kpi` fields served by the lean read: the property set on the object and the SQL over `k` that gives it. */
const KPI_COLUMNS: Readonly<Record<string, { prop: string; sql: string }>> = {
  key: { prop: 'key', sql: 'k.key' },
  name: { prop: 'name', sql: 'k.name' },
  definition: { prop: 'definition', sql: 'k.definition' },
  unit: { prop: 'unit', sql: 'k.unit' },
  layer: { prop: 'layer', sql: 'k.layer' },
  direction: { prop: 'direction', sql: 'k.direction' },
  aggregation: { prop: 'aggregation', sql: 'k.aggregation' },
  grain: { prop: 'grain', sql: 'k.grain' },
  formula: { prop: 'formula', sql: 'k.formula' },
  isNorthStar: { prop: 'isNorthStar', sql: 'k.is_north_star' },
  status: { prop: 'status', sql: 'k.status' },
  version: { prop: 'version', sql: 'k.version' },
};

/**
 * `Kpi.latest` as the resolver answers it: a measured KPI's newest measurement (one index probe),
 * a formula KPI's stored latest period and value with source 'formula' (null unless both are set).
 */
const LATEST_COLUMNS: Readonly<Record<string, { prop: string; sql: string }>> = {
  periodStart: { prop: 'periodStart', sql: `CASE WHEN k.formula IS NULL THEN lm.period_start ELSE k.latest_period END` },
  value: { prop: 'value', sql: `trim_scale(CASE WHEN k.formula IS NULL THEN lm.value ELSE k.latest_value END)::text` },
  source: { prop: 'source', sql: `CASE WHEN k.formula IS NULL THEN lm.source ELSE 'formula' END` },
};
/** Whether `latest` is null: no measurement, or a formula KPI without a stored period and value. */
const LATEST_PRESENT = `CASE WHEN k.formula IS NULL THEN lm.period_start IS NOT NULL ELSE k.latest_period IS NOT NULL AND k.latest_value IS NOT NULL END`;

const NODE_FIELDS = new Set(['depth', 'parentKey', 'kpi', '__typename']);

export interface LeanTreeSelection {
  kpi: string[];
  /** Null when `latest` is not asked for. */
  latest: string[] | null;
}

/** The fields of a selection set, fragments merged; false when one is outside `allowed` or `sub` rejects its sub-selection. */
function collect(
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  visit: (name: string, sub: SelectionSetNode | undefined) => boolean,
): boolean {
  if (!set) return true;
  for (const s of set.selections) {
    if (s.kind === 'Field') {
      if (!visit(s.name.value, s.selectionSet)) return false;
    } else if (s.kind === 'InlineFragment') {
      if (!collect(s.selectionSet, fragments, visit)) return false;
    } else {
      const f = fragments[s.name.value];
      if (!f || !collect(f.selectionSet, fragments, visit)) return false;
    }
  }
  return true;
}

/**
 * What the operation asks of `kpiTree`, when the lean read can answer all of it; null otherwise.
 * A field skipped by `@skip`/`@include` still counts (its column is read and not shown).
 */
export function leanTreeSelection(info: GraphQLResolveInfo): LeanTreeSelection | null {
  const kpi = new Set<string>();
  let latest: Set<string> | null = null;
  const fits = info.fieldNodes.every((node) =>
    collect(node.selectionSet, info.fragments, (name, sub) => {
      if (!NODE_FIELDS.has(name)) return false;
      if (name !== 'kpi') return true;
      return collect(sub, info.fragments, (kName, kSub) => {
        if (kName === '__typename' || kName === 'id') return true;
        if (kName === 'latest') {
          latest ??= new Set();
          const l = latest;
          return collect(kSub, info.fragments, (lName) => {
            if (lName === '__typename') return true;
            if (!(lName in LATEST_COLUMNS)) return false;
            l.add(lName);
            return true;
          });
        }
        if (!(kName in KPI_COLUMNS)) return false;
        kpi.add(kName);
        return true;
      });
    }),
  );
  return fits ? { kpi: [...kpi], latest: latest ? [...(latest as Set<string>)] : null } : null;
}

export interface LeanTreeNode {
  kpi: Kpi;
  depth: number;
  parentKey: string | null;
}

/**
 * The tree under `roots` with only the selected columns, in tree order. One statement. The KPI
 * objects carry only those columns (and the id): they are the response's, never primed into a
 * loader.
 */
export async function leanTree(ctx: Context, roots: TreeRoots, selection: LeanTreeSelection): Promise<LeanTreeNode[]> {
  const tree = treeCte(ctx, roots);
  const cols = selection.kpi.map((f) => KPI_COLUMNS[f]);
  const latest = selection.latest?.map((f) => LATEST_COLUMNS[f]) ?? null;
  const select = ['k.id', 't.depth', 't.parent_key', ...cols.map((c, i) => `${c.sql} AS c${i}`)];
  if (latest) select.push(`${LATEST_PRESENT} AS l_present`, ...latest.map((c, i) => `${c.sql} AS l${i}`));
  // The latest measurement of a measured KPI: one index probe each, as the floor.
  const join = latest
    ? `LEFT JOIN LATERAL (SELECT m.period_start, m.value, m.source FROM kpi_measurements m
          WHERE m.organization_id = k.organization_id AND m.kpi_id = k.id AND k.formula IS NULL
          ORDER BY m.period_start DESC LIMIT 1) lm ON true`
    : '';
  const rows: Array<Record<string, unknown>> = await ctx.manager.query(
    `${tree.sql}
     SELECT ${select.join(', ')} FROM tree t JOIN kpis k ON k.id = t.id ${join} ORDER BY t.path`,
    tree.params,
  );
  const proto = Kpi.prototype;
  const colKeys = cols.map((_, i) => `c${i}`);
  const latestKeys = latest?.map((_, i) => `l${i}`) ?? [];
  return rows.map((r) => {
    const kpi = Object.create(proto) as Record<string, unknown>;
    kpi.id = r.id;
    for (let i = 0; i < cols.length; i++) kpi[cols[i].prop] = r[colKeys[i]];
    if (latest) {
      let m: Record<string, unknown> | null = null;
      if (r.l_present) {
        m = {};
        for (let i = 0; i < latest.length; i++) m[latest[i].prop] = r[latestKeys[i]];
      }
      preloadedLatest.set(kpi as unknown as Kpi, m as unknown as KpiMeasurement | null);
    }
    return { kpi: kpi as unknown as Kpi, depth: r.depth as number, parentKey: r.parent_key as string | null };
  });
}

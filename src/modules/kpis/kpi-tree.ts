/**
 * Values of a KPI tree for one period: measured KPIs read their value, formula KPIs evaluate
 * their formula over their children's values (recursively), with optional what-if changes.
 * Pure: no ORM or GraphQL imports.
 */
import Decimal from 'decimal.js';
import { DECIMAL_RANGE, inDecimalRange } from '../../common/decimal-range';
import { RuleViolation } from '../../common/rules';
import { evaluateFormula, formulaError, parseFormula, scaled, type Formula } from './kpi-formula';

export interface TreeNode {
  id: string;
  key: string;
  parentId: string | null;
  formula: string | null;
}

export interface NodeValue {
  value: Decimal | null;
  /** Why the value is null (no measurement, a missing input, a division by zero, out of the Decimal range). */
  reason: string | null;
}

const formulas = new Map<string, Formula | RuleViolation>();

/** Parsed formulas, cached by text (a formula was checked when saved). */
function parsed(text: string): Formula | RuleViolation {
  let f = formulas.get(text);
  if (!f) {
    try {
      f = parseFormula(text);
    } catch (e) {
      f = e instanceof RuleViolation ? e : formulaError(String(e));
    }
    if (formulas.size > 5000) formulas.clear();
    formulas.set(text, f);
  }
  return f;
}

/** A measured KPI's value for a period (null without a measurement), with the reason when it has none. */
export function measuredValue(key: string, value: Decimal | null): NodeValue {
  if (value == null) return { value: null, reason: 'No measurement in this period' };
  // Measurements are checked when recorded; a sum of many, or a row older than the check, may not be.
  if (!inDecimalRange(value)) return { value: null, reason: `Out of range: the value of ${key} is out of the Decimal range ${DECIMAL_RANGE}` };
  return { value, reason: null };
}

export class TreeValues {
  private readonly byId = new Map<string, TreeNode>();
  private readonly childrenOf = new Map<string, TreeNode[]>();

  /**
   * `nodes`: the KPIs of the subtrees to evaluate (active ones); `measured(id)`: a measured
   * KPI's value for the period (null without one); `percent`: what-if changes by KPI id.
   */
  constructor(
    nodes: readonly TreeNode[],
    private readonly measured: (id: string) => Decimal | null,
    private readonly percent: ReadonlyMap<string, Decimal> = new Map(),
  ) {
    for (const n of nodes) this.byId.set(n.id, n);
    for (const n of nodes) {
      if (n.parentId && this.byId.has(n.parentId)) {
        const list = this.childrenOf.get(n.parentId);
        if (list) list.push(n);
        else this.childrenOf.set(n.parentId, [n]);
      }
    }
  }

  private readonly memo = new Map<string, NodeValue>();
  private readonly visiting = new Set<string>();

  valueOf(id: string): NodeValue {
    const known = this.memo.get(id);
    if (known) return known;
    const node = this.byId.get(id);
    let result: NodeValue;
    if (!node) result = { value: null, reason: 'Unknown KPI' };
    else if (this.visiting.has(id)) result = { value: null, reason: `The tree loops back to ${node.key}` };
    else {
      this.visiting.add(id);
      result = this.compute(node);
      this.visiting.delete(id);
    }
    const change = this.percent.get(id);
    if (change && result.value != null) {
      const value = scaled(result.value, change);
      result = value
        ? { value, reason: null }
        : { value: null, reason: `Out of range: ${node!.key} changed by ${change.toFixed()} % is out of the Decimal range ${DECIMAL_RANGE}` };
    }
    this.memo.set(id, result);
    return result;
  }

  private compute(node: TreeNode): NodeValue {
    if (node.formula == null) return measuredValue(node.key, this.measured(node.id));
    const formula = parsed(node.formula);
    if (formula instanceof RuleViolation) return { value: null, reason: formula.message };
    const children = new Map((this.childrenOf.get(node.id) ?? []).map((c) => [c.key, c.id]));
    const reasons: string[] = [];
    const result = evaluateFormula(formula, (key) => {
      const child = children.get(key);
      if (!child) return null;
      const v = this.valueOf(child);
      if (v.value == null && v.reason) reasons.push(`${key}: ${v.reason}`);
      return v.value;
    });
    if (result.value == null && reasons.length > 0 && result.reason.startsWith('No value')) {
      return { value: null, reason: `${result.reason} (${reasons.join('; ')})` };
    }
    return result;
  }
}

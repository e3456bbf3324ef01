/** Budgets and their lines: listing, creation, lines added and edited (FINANCE/OWNER). */
import Decimal from 'decimal.js';
import { RuleViolation } from '../../common/rules';
import { orgId } from '../../common/auth';
import { paginate, type ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { ErrorCode } from '../../common/errors';
import { assertBelowCap } from '../../db/caps';
import { withIdempotency } from '../../db/idempotency';
import { withTransaction } from '../../db/transaction';
import { createRecorded, updateRecorded } from '../audit';
import { requireSquad } from '../squads';
import { Budget, BudgetLine } from './budget.entity';
import { checkAmount, minorUnits, parseCurrency } from '../../common/money';
import { checkReserve, validatePeriod } from './budget-rules';
import type { AddBudgetLineInput, BudgetsFilter, CreateBudgetInput, UpdateBudgetLineInput } from './budgets.inputs';
import { budgetById, budgetLineById, MAX_BUDGET_LINES } from './budgets.loaders';
import { assertBudgetActive, assertFinance, budgetMeta, lockBudget, lockLineAndBudget, settleThresholds } from './budget-access';
import { validateKpiKeys } from './kpi-link';

export async function listBudgets(ctx: Context, filter: BudgetsFilter, page: ConnectionArgs) {
  const qb = ctx.manager.createQueryBuilder(Budget, 'b').where('b.organization_id = :org', { org: orgId(ctx) });
  if (filter.squadId) qb.andWhere('b.squad_id = :squad', { squad: filter.squadId });
  qb.andWhere(filter.archived ? 'b.archived_at IS NOT NULL' : 'b.archived_at IS NULL');
  if (filter.activeOn) qb.andWhere('b.period_start <= :day AND b.period_end >= :day', { day: filter.activeOn });
  const result = await paginate(ctx, qb, page, [
    { column: 'b.period_start', direction: 'DESC', value: (b) => b.periodStart },
    { column: 'b.id', direction: 'DESC', value: (b) => b.id },
  ], 'Query.budgets');
  return result;
}

export async function createBudget(ctx: Context, input: CreateBudgetInput) {
  assertFinance(ctx, 'create budgets');
  const currency = parseCurrency(input.currency, 'currency');
  validatePeriod(input.periodStart, input.periodEnd);
  return withIdempotency(ctx, 'createBudget', input, async (tx) => {
    const squad = input.squadId ? await requireSquad(tx, input.squadId) : null;
    const budget = await createRecorded(
      tx,
      Budget,
      {
        organizationId: orgId(tx),
        name: input.name.trim(),
        squadId: squad?.id ?? null,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        currency,
        hardCap: input.hardCap ?? false,
        planned: new Decimal(0),
        spent: new Decimal(0),
        crossed80At: null,
        crossed100At: null,
        version: 1,
      },
      { action: 'budget.created', meta: (b) => budgetMeta(b), prime: budgetById },
    );
    return { budget };
  });
}

export async function addBudgetLine(ctx: Context, input: AddBudgetLineInput) {
  assertFinance(ctx, 'add budget lines');
  checkReserve(input.reservePool ?? false, input.toleratedLoss);
  return withIdempotency(ctx, 'addBudgetLine', input, async (tx) => {
    const current = await lockBudget(tx, input.budgetId, 'budgetId');
    assertBudgetActive(current, 'budgetId');
    const planned = checkAmount(input.planned, current.currency, 'planned', { allowZero: true });
    const kpis = await validateKpiKeys(tx, input.kpiKeys ?? []);
    // The budget is locked: two lines added at once count each other.
    await assertBelowCap(tx, {
      table: BudgetLine,
      parentColumn: 'budget_id',
      parentId: current.id,
      max: MAX_BUDGET_LINES,
      field: 'budgetId',
      message: (max) => `A budget has at most ${max} lines`,
    });
    const budgetLine = await createRecorded(
      tx,
      BudgetLine,
      {
        organizationId: orgId(tx),
        budgetId: current.id,
        name: input.name.trim(),
        category: input.category.trim(),
        kind: input.kind,
        planned,
        spent: new Decimal(0),
        kpiKeys: kpis.keys,
        kpiIds: kpis.ids,
        reservePool: input.reservePool ?? false,
        toleratedLoss: input.toleratedLoss ?? null,
        crossed80At: null,
        crossed100At: null,
        version: 1,
      },
      { action: 'budget_line.created', meta: (l) => budgetMeta(current, { budgetLineId: l.id }), prime: budgetLineById },
    );
    await tx.manager.query(`UPDATE budgets SET planned = planned + $3 WHERE id = $1 AND organization_id = $2`, [
      current.id,
      orgId(tx),
      input.planned.toFixed(),
    ]);
    const { budget, lines } = await settleThresholds(tx, current.id, [budgetLine.id]);
    return { budgetLine: lines[0], budget };
  });
}

export async function updateBudgetLine(ctx: Context, input: UpdateBudgetLineInput) {
  assertFinance(ctx, 'change budget lines');
  return withTransaction(ctx, async (tx) => {
    const { budget: current, line } = await lockLineAndBudget(tx, input.id);
    const set: Partial<BudgetLine> = {};
    if (input.name != null) set.name = input.name.trim();
    if (input.category != null) set.category = input.category.trim();
    if (input.kind != null) set.kind = input.kind;
    if (input.planned != null) {
      const planned = input.planned;
      checkAmount(planned, current.currency, 'planned', { allowZero: true });
      if (current.hardCap && planned.lt(line.spent)) {
        throw new RuleViolation(
          ErrorCode.BUDGET_CAP_EXCEEDED,
          `This budget has a hard cap and the line has already spent ${line.spent.toFixed()} ${current.currency}: planned cannot go below that`,
          'planned',
          { spent: line.spent.toFixed(minorUnits(current.currency)) },
        );
      }
      set.planned = planned;
    }
    if (input.kpiKeys != null) {
      const kpis = await validateKpiKeys(tx, input.kpiKeys);
      set.kpiKeys = kpis.keys;
      set.kpiIds = kpis.ids;
    }
    if (input.reservePool != null) set.reservePool = input.reservePool;
    const reservePool = set.reservePool ?? line.reservePool;
    const toleratedLoss = input.toleratedLoss !== undefined ? input.toleratedLoss : reservePool ? line.toleratedLoss : null;
    checkReserve(reservePool, toleratedLoss);
    if (input.toleratedLoss !== undefined || toleratedLoss !== line.toleratedLoss) set.toleratedLoss = toleratedLoss;
    await updateRecorded(tx, BudgetLine, line, input.expectedVersion, set, {
      action: 'budget_line.updated',
      meta: budgetMeta(current, { budgetLineId: line.id }),
      prime: budgetLineById,
      what: 'This budget line',
    });
    if (set.planned && !set.planned.eq(line.planned)) {
      await tx.manager.query(`UPDATE budgets SET planned = planned + $3 WHERE id = $1 AND organization_id = $2`, [
        current.id,
        orgId(tx),
        set.planned.minus(line.planned).toFixed(),
      ]);
    }
    const { budget, lines } = await settleThresholds(tx, current.id, [line.id]);
    return { budgetLine: lines[0], budget };
  });
}

import Decimal from 'decimal.js';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Node } from '../../common/node';
import { DateScalar, DecimalScalar, decimalTransformer } from '../../common/scalars';
import { AdjustmentStatus, AT_RISK_MARGIN, BudgetLineKind, BudgetStatus, UNDER_MARGIN } from './budget-rules';
import { auditIdKeys } from '../audit';

registerEnumType(BudgetLineKind, {
  name: 'BudgetLineKind',
  description: 'FIXED: people, systems (spent steadily); VARIABLE: campaigns, media (spent as activity demands).',
});
registerEnumType(BudgetStatus, {
  name: 'BudgetStatus',
  description: `Burn (spent ÷ planned) against the elapsed share of the period: OVER when spent > planned; AT_RISK when burn is more than ${AT_RISK_MARGIN.mul(100).toFixed()} points ahead of the elapsed share; UNDER when more than ${UNDER_MARGIN.mul(100).toFixed()} points behind it; ON_TRACK otherwise.`,
});
registerEnumType(AdjustmentStatus, { name: 'BudgetAdjustmentStatus', description: 'PENDING until FINANCE or OWNER approves or rejects it, or its requester withdraws it (WITHDRAWN).' });

/** A budget: a period, an owner (the organisation or a squad), one currency, lines. */
@Entity('budgets')
@ObjectType({ implements: Node, description: 'A budget for a period, owned by the organisation or a squad, in one currency, made of lines.' })
export class Budget extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Field() @Column() name: string;
  @Column({ name: 'squad_id', type: 'uuid', nullable: true }) squadId: string | null;
  @Field(() => DateScalar) @Column({ name: 'period_start', type: 'date' }) periodStart: string;
  @Field(() => DateScalar) @Column({ name: 'period_end', type: 'date' }) periodEnd: string;
  @Field({ description: 'ISO 4217 code (e.g. CNY). Every amount of the budget is in it.' }) @Column({ type: 'char', length: 3 }) currency: string;
  @Field({ description: 'true: an expense that would take its line past planned is refused (BUDGET_CAP_EXCEEDED); false: overspend is allowed and shows as OVER.' })
  @Column({ name: 'hard_cap', type: 'boolean' })
  hardCap: boolean;
  @Field(() => DecimalScalar, { description: 'Sum of the lines’ planned amounts.' })
  @Column({ type: 'numeric', transformer: decimalTransformer })
  planned: Decimal;
  @Field(() => DecimalScalar, { description: 'Sum of the non-void expenses of every line.' })
  @Column({ type: 'numeric', transformer: decimalTransformer })
  spent: Decimal;
  @Column({ name: 'crossed_80_at', type: 'timestamptz', nullable: true }) crossed80At: Date | null;
  @Column({ name: 'crossed_100_at', type: 'timestamptz', nullable: true }) crossed100At: Date | null;
  @Field(() => DateScalar, {
    nullable: true,
    description: 'The period is closed through this day: expenses, voids and adjustments dated on or before it are refused (PERIOD_CLOSED). Null while the whole period is open.',
  })
  @Column({ name: 'closed_through', type: 'date', nullable: true })
  closedThrough: string | null;
  @Field(() => Date, { nullable: true, description: 'When closedThrough was last set (a close or a partial reopen); null while the period is open.' })
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;
  @Column({ name: 'closed_by', type: 'uuid', nullable: true }) closedById: string | null;
  @Field(() => Date, {
    nullable: true,
    description: 'When the budget was archived: it leaves `budgets` (unless filter.archived) and the overviews, and takes no new expense, line or adjustment (ARCHIVED); its expenses stay in the ledger.',
  })
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;
  @Field(() => Int, { description: 'Increases with every change; send it back as expectedVersion.' })
  @Column({ type: 'int', default: 1 })
  version: number;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('budget_lines')
@ObjectType({ implements: Node, description: 'A line of a budget (e.g. KOL partnerships), linked to the KPIs it should move.' })
export class BudgetLine extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'budget_id', type: 'uuid' }) budgetId: string;
  @Field() @Column() name: string;
  @Field({ description: 'Free text such as media, people, systems, rewards.' }) @Column({ type: 'text' }) category: string;
  @Field(() => BudgetLineKind) @Column({ type: 'varchar' }) kind: BudgetLineKind;
  @Field(() => DecimalScalar) @Column({ type: 'numeric', transformer: decimalTransformer }) planned: Decimal;
  @Field(() => DecimalScalar, { description: 'Sum of the line’s non-void expenses.' })
  @Column({ type: 'numeric', transformer: decimalTransformer })
  spent: Decimal;
  @Field(() => [String], { description: 'Keys of the KPIs this line should move (at most 10).' })
  @Column({ name: 'kpi_keys', type: 'text', array: true })
  kpiKeys: string[];
  /** The KPIs of kpiKeys, by id (resolved when the keys are set). */
  @Column({ name: 'kpi_ids', type: 'uuid', array: true }) kpiIds: string[];
  @Field({ description: 'A reserve pool (资源池) that squads draw from through adjustments.' })
  @Column({ name: 'reserve_pool', type: 'boolean' })
  reservePool: boolean;
  @Field(() => DecimalScalar, { nullable: true, description: 'For a reserve pool: the share of it that may be lost on experiments (0..1, e.g. 0.3).' })
  @Column({ name: 'tolerated_loss', type: 'numeric', nullable: true, transformer: decimalTransformer })
  toleratedLoss: Decimal | null;
  @Column({ name: 'crossed_80_at', type: 'timestamptz', nullable: true }) crossed80At: Date | null;
  @Column({ name: 'crossed_100_at', type: 'timestamptz', nullable: true }) crossed100At: Date | null;
  @Field(() => Date, {
    nullable: true,
    description: 'When the line was archived: it takes no new expense or adjustment (ARCHIVED), stays listed on its budget and counts in planned and spent.',
  })
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;
  @Field(() => Int, { description: 'Increases with every change; send it back as expectedVersion.' })
  @Column({ type: 'int', default: 1 })
  version: number;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('expenses')
@ObjectType({ implements: Node, description: 'An expense booked against a budget line. Never edited or deleted: voided instead.' })
export class Expense extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'budget_id', type: 'uuid' }) budgetId: string;
  @Column({ name: 'budget_line_id', type: 'uuid' }) budgetLineId: string;
  @Field(() => DecimalScalar, { description: 'In the budget’s currency.' })
  @Column({ type: 'numeric', transformer: decimalTransformer })
  amount: Decimal;
  @Field(() => DateScalar) @Column({ name: 'incurred_on', type: 'date' }) incurredOn: string;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) description: string | null;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) vendor: string | null;
  @Field(() => String, { nullable: true, description: 'The invoice or purchase-order number to reconcile against (at most 100 characters, trimmed).' })
  @Column({ type: 'text', nullable: true })
  reference: string | null;
  @Column({ name: 'recorded_by', type: 'uuid', nullable: true }) recordedById: string | null;
  @Field(() => Date, { nullable: true, description: 'When it was voided; a void expense no longer counts.' })
  @Column({ name: 'voided_at', type: 'timestamptz', nullable: true })
  voidedAt: Date | null;
  @Column({ name: 'voided_by', type: 'uuid', nullable: true }) voidedById: string | null;
  @Field(() => String, { nullable: true }) @Column({ name: 'void_reason', type: 'text', nullable: true }) voidReason: string | null;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('budget_adjustments')
@ObjectType({
  implements: Node,
  description: 'A request to move money between lines (fromLine → toLine), or to raise a line (no fromLine), decided by FINANCE or OWNER.',
})
export class BudgetAdjustment extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'budget_id', type: 'uuid' }) budgetId: string;
  @Column({ name: 'from_line_id', type: 'uuid', nullable: true }) fromLineId: string | null;
  @Column({ name: 'to_line_id', type: 'uuid' }) toLineId: string;
  @Field(() => DecimalScalar) @Column({ type: 'numeric', transformer: decimalTransformer }) amount: Decimal;
  @Field() @Column({ type: 'text' }) reason: string;
  @Field({ description: 'Fast track (快速通道): due within the organisation’s fast-track deadline (default 24 hours).' })
  @Column({ name: 'fast_track', type: 'boolean' })
  fastTrack: boolean;
  @Field(() => AdjustmentStatus) @Column({ type: 'varchar' }) status: AdjustmentStatus;
  @Field({ description: 'When a decision is due; a pending request past it is overdue.' })
  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;
  @Column({ name: 'requested_by', type: 'uuid', nullable: true }) requestedById: string | null;
  @Column({ name: 'decided_by', type: 'uuid', nullable: true }) decidedById: string | null;
  @Field(() => Date, { nullable: true }) @Column({ name: 'decided_at', type: 'timestamptz', nullable: true }) decidedAt: Date | null;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) note: string | null;
  @Field(() => Int, { description: 'Increases with every change.' })
  @Column({ type: 'int', default: 1 })
  version: number;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** An organisation's budget settings (one row per organisation, created on first change). */
@Entity('budget_settings')
@ObjectType('BudgetSettings', { description: 'How the organisation runs budget approvals.' })
export class BudgetSettings {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Field(() => Int, { description: 'Hours FINANCE/OWNER have to decide a fast-track adjustment (default 24, 1 to 720).' })
  @Column({ name: 'fast_track_hours', type: 'int' })
  fastTrackDecisionHours: number;
  @Column({ name: 'updated_by', type: 'uuid', nullable: true }) updatedById: string | null;
  @Field(() => Date, { nullable: true }) @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date | null;
}

/** Which keys of these types' audit snapshots are ids, and of which type (AuditEvent.before/after show global ids). */
auditIdKeys('Budget', { squadId: 'Squad', closedById: 'User' });
auditIdKeys('BudgetLine', { budgetId: 'Budget', kpiIds: 'Kpi' });
auditIdKeys('Expense', { budgetId: 'Budget', budgetLineId: 'BudgetLine', recordedById: 'User', voidedById: 'User' });
auditIdKeys('BudgetAdjustment', { budgetId: 'Budget', fromLineId: 'BudgetLine', toLineId: 'BudgetLine', requestedById: 'User', decidedById: 'User' });
auditIdKeys('BudgetSettings', { updatedById: 'User' });

/**
 * The stored daily spend that `Query.spend` reads (`budget_daily_spend`): per line, day and
 * campaign tag, the non-void expenses' amount and count, kept by recordExpense and voidExpense (one
 * upsert each, see expenses.service.ts). Its key is the unique constraint (budget_line_id, day,
 * campaign_id), NULLS NOT DISTINCT; the ORM's primary key below is the part of it that is never
 * null, for the mapping only: rows are read and written by SQL, never loaded as entities.
 */
@Entity('budget_daily_spend')
export class BudgetDailySpend {
  @PrimaryColumn({ name: 'budget_line_id', type: 'uuid' }) budgetLineId: string;
  @PrimaryColumn({ type: 'date' }) day: string;
  @Column({ name: 'campaign_id', type: 'uuid', nullable: true }) campaignId: string | null;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'budget_id', type: 'uuid' }) budgetId: string;
  @Column({ type: 'numeric', transformer: decimalTransformer }) amount: Decimal;
  @Column({ name: 'expense_count', type: 'int' }) expenseCount: number;
}
auditIdKeys('BudgetDailySpend', { budgetId: 'Budget', budgetLineId: 'BudgetLine', campaignId: 'Campaign' });

import Decimal from 'decimal.js';
import { ArrayMaxSize, IsInt, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { IdempotencyKeyField } from '../../common/idempotency';
import { SingleLineName } from '../../common/input-text';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { BudgetLineKind } from './budget-rules';

/** An expense's reference (invoice or PO number) is at most this long. */
export const MAX_REFERENCE_LENGTH = 100;

/** A line links to at most this many KPIs. */
export const MAX_LINE_KPIS = 10;

@InputType()
export class CreateBudgetInput {
  @Field() @Length(1, 200, { message: 'name must be 1 to 200 characters' }) @SingleLineName() name: string;
  @Field(() => ID, { nullable: true, description: 'The Squad that owns the budget; omitted: an organisation-wide budget.' })
  @GlobalIdOf('Squad')
  @IsOptional()
  squadId?: string;
  @Field(() => DateScalar) periodStart: string;
  @Field(() => DateScalar, { description: 'On or after periodStart; a period is at most 731 days.' }) periodEnd: string;
  @Field({ description: 'ISO 4217 code, e.g. CNY, USD, JPY.' }) @Length(3, 3, { message: 'currency must be a 3-letter ISO 4217 code' }) currency: string;
  @Field({ defaultValue: false, description: 'true: expenses may never take a line past its planned amount.' }) hardCap: boolean;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class AddBudgetLineInput {
  @Field(() => ID) @GlobalIdOf('Budget') budgetId: string;
  @Field() @Length(1, 200, { message: 'name must be 1 to 200 characters' }) @SingleLineName() name: string;
  @Field() @Length(1, 100, { message: 'category must be 1 to 100 characters' }) @SingleLineName() category: string;
  @Field(() => BudgetLineKind) kind: BudgetLineKind;
  @Field(() => DecimalScalar, { description: 'In the budget’s currency, 0 or more.' }) planned: Decimal;
  @Field(() => [String], { defaultValue: [], description: `Keys of the KPIs the line should move; at most ${MAX_LINE_KPIS}.` })
  @ArrayMaxSize(MAX_LINE_KPIS)
  @Length(1, 100, { each: true, message: 'each KPI key must be 1 to 100 characters' })
  kpiKeys: string[];
  @Field({ defaultValue: false, description: 'A reserve pool (资源池) that squads draw from through adjustments.' }) reservePool: boolean;
  @Field(() => DecimalScalar, { nullable: true, description: 'Reserve pools only: the share that may be lost (0..1).' })
  @IsOptional()
  toleratedLoss?: Decimal;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType({ description: 'Omitted fields stay as they are.' })
export class UpdateBudgetLineInput {
  @Field(() => ID) @GlobalIdOf('BudgetLine') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT with extensions.currentVersion.' }) @IsInt() expectedVersion: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200, { message: 'name must be 1 to 200 characters' }) @SingleLineName() name?: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 100, { message: 'category must be 1 to 100 characters' }) @SingleLineName() category?: string;
  @Field(() => BudgetLineKind, { nullable: true }) @IsOptional() kind?: BudgetLineKind;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() planned?: Decimal;
  @Field(() => [String], { nullable: true, description: `At most ${MAX_LINE_KPIS}.` })
  @IsOptional()
  @ArrayMaxSize(MAX_LINE_KPIS)
  @Length(1, 100, { each: true, message: 'each KPI key must be 1 to 100 characters' })
  kpiKeys?: string[];
  @Field({ nullable: true }) @IsOptional() reservePool?: boolean;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() toleratedLoss?: Decimal | null;
}

@InputType()
export class BudgetsFilter {
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Squad') @IsOptional() squadId?: string;
  @Field(() => DateScalar, { nullable: true, description: 'Budgets whose period includes this day.' }) @IsOptional() activeOn?: string;
  @Field({ nullable: true, defaultValue: false, description: 'false (default): active budgets; true: archived budgets.' })
  @IsOptional()
  archived?: boolean;
}

@InputType()
export class RecordExpenseInput {
  @Field(() => ID) @GlobalIdOf('BudgetLine') budgetLineId: string;
  @Field(() => DecimalScalar, { description: 'More than 0, in the budget’s currency, no finer than its minor unit.' }) amount: Decimal;
  @Field(() => DateScalar, { description: 'Within the budget’s period.' }) incurredOn: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(2000) description?: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200, { message: 'vendor must be 1 to 200 characters' }) @SingleLineName() vendor?: string;
  @Field({ nullable: true, description: `The invoice or purchase-order number: one line, at most ${MAX_REFERENCE_LENGTH} characters, stored trimmed.` })
  @IsOptional()
  @Length(1, MAX_REFERENCE_LENGTH, { message: `reference must be 1 to ${MAX_REFERENCE_LENGTH} characters` })
  @SingleLineName()
  reference?: string;
  @Field(() => ID, { nullable: true, description: 'The Campaign the expense is tagged with (its cost).' })
  @GlobalIdOf('Campaign')
  @IsOptional()
  campaignId?: string;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class VoidExpenseInput {
  @Field(() => ID) @GlobalIdOf('Expense') id: string;
  @Field() @Length(1, 2000, { message: 'reason must be 1 to 2000 characters' }) reason: string;
}

/** Each id list of the ledger's filter holds at most this many ids. */
export const MAX_LEDGER_FILTER_IDS = 100;

@InputType({ description: 'Filters of the ledger (Query.expenses); every one given must match (AND); within a list, any (OR).' })
export class ExpensesFilter {
  @Field(() => [ID], { nullable: true, description: `Expenses of these Budgets (at most ${MAX_LEDGER_FILTER_IDS}).` })
  @GlobalIdOf('Budget')
  @IsOptional()
  @ArrayMaxSize(MAX_LEDGER_FILTER_IDS)
  budgetIds?: string[];
  @Field(() => [ID], { nullable: true, description: `Expenses booked against these BudgetLines (at most ${MAX_LEDGER_FILTER_IDS}).` })
  @GlobalIdOf('BudgetLine')
  @IsOptional()
  @ArrayMaxSize(MAX_LEDGER_FILTER_IDS)
  lineIds?: string[];
  @Field(() => [ID], { nullable: true, description: `Expenses of the budgets these Squads own (at most ${MAX_LEDGER_FILTER_IDS}).` })
  @GlobalIdOf('Squad')
  @IsOptional()
  @ArrayMaxSize(MAX_LEDGER_FILTER_IDS)
  squadIds?: string[];
  @Field(() => [ID], { nullable: true, description: `Expenses tagged with these Campaigns (at most ${MAX_LEDGER_FILTER_IDS}).` })
  @GlobalIdOf('Campaign')
  @IsOptional()
  @ArrayMaxSize(MAX_LEDGER_FILTER_IDS)
  campaignIds?: string[];
  @Field(() => [String], { nullable: true, description: `Expenses of lines with one of these categories, compared case-insensitively (at most ${MAX_LEDGER_FILTER_IDS}).` })
  @IsOptional()
  @ArrayMaxSize(MAX_LEDGER_FILTER_IDS)
  @Length(1, 100, { each: true, message: 'each category must be 1 to 100 characters' })
  categories?: string[];
  @Field(() => DateScalar, { nullable: true, description: 'Incurred on or after this day.' }) @IsOptional() from?: string;
  @Field(() => DateScalar, { nullable: true, description: 'Incurred on or before this day.' }) @IsOptional() to?: string;
  @Field({ nullable: true, description: 'Vendor contains this text, case-insensitively (% and _ match themselves).' })
  @IsOptional()
  @Length(1, 200, { message: 'vendor must be 1 to 200 characters' })
  vendor?: string;
  @Field({ nullable: true, description: 'Reference starts with this text, case-insensitively (% and _ match themselves).' })
  @IsOptional()
  @Length(1, MAX_REFERENCE_LENGTH, { message: `reference must be 1 to ${MAX_REFERENCE_LENGTH} characters` })
  reference?: string;
  @Field({ nullable: true, description: 'true: only void expenses; false: only those that count; omitted: both.' })
  @IsOptional()
  voided?: boolean;
}

@InputType({ description: 'Omitted fields stay as they are. The currency and periodStart never change.' })
export class UpdateBudgetInput {
  @Field(() => ID) @GlobalIdOf('Budget') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT with extensions.currentVersion.' }) @IsInt() expectedVersion: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200, { message: 'name must be 1 to 200 characters' }) @SingleLineName() name?: string;
  @Field({ nullable: true, description: 'Turning it on is refused (BUDGET_CAP_EXCEEDED) while a line has spent more than planned.' })
  @IsOptional()
  hardCap?: boolean;
  @Field(() => ID, { nullable: true, description: 'The Squad that owns the budget; null: the organisation; omitted: unchanged.' })
  @GlobalIdOf('Squad')
  @IsOptional()
  squadId?: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'On or after periodStart (at most 731 days), and not before the latest non-void expense.' })
  @IsOptional()
  periodEnd?: string;
}

@InputType({ description: 'A budget or a budget line, at the version you read.' })
export class VersionedBudgetInput {
  @Field(() => ID) @GlobalIdOf('Budget') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT with extensions.currentVersion.' }) @IsInt() expectedVersion: number;
}

@InputType()
export class VersionedBudgetLineInput {
  @Field(() => ID) @GlobalIdOf('BudgetLine') id: string;
  @Field(() => Int, { description: 'The line’s version you read; a stale one gets CONFLICT with extensions.currentVersion.' }) @IsInt() expectedVersion: number;
}

/** What `Query.spend` groups its buckets by (besides the currency, always). */
export enum SpendGroup {
  BUDGET = 'BUDGET',
  LINE = 'LINE',
  CATEGORY = 'CATEGORY',
  SQUAD = 'SQUAD',
  CAMPAIGN = 'CAMPAIGN',
}
registerEnumType(SpendGroup, {
  name: 'SpendGroup',
  description: 'A key of the spend buckets: BUDGET, LINE, CATEGORY (case-insensitive), SQUAD (null: organisation-wide budgets), CAMPAIGN (null: untagged spend).',
});

@InputType({ description: 'Filters of Query.spend, checked as those of Query.expenses: every one given must match (AND); within a list, any (OR).' })
export class SpendFilter {
  @Field(() => [ID], { nullable: true, description: `Spend of these Budgets (at most ${MAX_LEDGER_FILTER_IDS}).` })
  @GlobalIdOf('Budget')
  @IsOptional()
  @ArrayMaxSize(MAX_LEDGER_FILTER_IDS)
  budgetIds?: string[];
  @Field(() => [ID], { nullable: true, description: `Spend of these BudgetLines (at most ${MAX_LEDGER_FILTER_IDS}).` })
  @GlobalIdOf('BudgetLine')
  @IsOptional()
  @ArrayMaxSize(MAX_LEDGER_FILTER_IDS)
  lineIds?: string[];
  @Field(() => [ID], { nullable: true, description: `Spend of the budgets these Squads own (at most ${MAX_LEDGER_FILTER_IDS}).` })
  @GlobalIdOf('Squad')
  @IsOptional()
  @ArrayMaxSize(MAX_LEDGER_FILTER_IDS)
  squadIds?: string[];
  @Field(() => [ID], { nullable: true, description: `Spend tagged with these Campaigns (at most ${MAX_LEDGER_FILTER_IDS}); planned is then null.` })
  @GlobalIdOf('Campaign')
  @IsOptional()
  @ArrayMaxSize(MAX_LEDGER_FILTER_IDS)
  campaignIds?: string[];
  @Field(() => [String], { nullable: true, description: `Lines with one of these categories, compared case-insensitively (at most ${MAX_LEDGER_FILTER_IDS}).` })
  @IsOptional()
  @ArrayMaxSize(MAX_LEDGER_FILTER_IDS)
  @Length(1, 100, { each: true, message: 'each category must be 1 to 100 characters' })
  categories?: string[];
  @Field(() => DateScalar, { nullable: true, description: 'From this day (omitted: the earliest start of the matching budgets’ periods).' })
  @IsOptional()
  from?: string;
  @Field(() => DateScalar, { nullable: true, description: 'To this day, inclusive (omitted: the latest end of the matching budgets’ periods).' })
  @IsOptional()
  to?: string;
}

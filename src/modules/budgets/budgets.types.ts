import Decimal from 'decimal.js';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../common/connection';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { Kpi } from '../kpis';
import { Budget, BudgetAdjustment, BudgetLine, BudgetSettings, Expense } from './budget.entity';
import { EfficiencyReason, MAX_BURN_KPIS } from './budget-rules';

export const BudgetConnection = Connection(Budget);
export const ExpenseConnection = Connection(Expense);

@ObjectType()
export class CreateBudgetPayload {
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class UpdateBudgetPayload {
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class ArchiveBudgetPayload {
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class RestoreBudgetPayload {
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class RemoveBudgetLinePayload {
  @Field(() => ID, { description: 'The id of the line removed.' }) removedBudgetLineId: string;
  @Field(() => Budget, { description: 'Its budget, with planned lowered by the line’s plan and a new version.' }) budget: Budget;
}

@ObjectType()
export class ArchiveBudgetLinePayload {
  @Field(() => BudgetLine) budgetLine: BudgetLine;
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class WithdrawBudgetAdjustmentPayload {
  @Field(() => BudgetAdjustment) budgetAdjustment: BudgetAdjustment;
}

@ObjectType()
export class AddBudgetLinePayload {
  @Field(() => BudgetLine) budgetLine: BudgetLine;
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class UpdateBudgetLinePayload {
  @Field(() => BudgetLine) budgetLine: BudgetLine;
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class RecordExpensePayload {
  @Field(() => Expense) expense: Expense;
  @Field(() => BudgetLine) budgetLine: BudgetLine;
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class VoidExpensePayload {
  @Field(() => Expense) expense: Expense;
  @Field(() => BudgetLine) budgetLine: BudgetLine;
  @Field(() => Budget) budget: Budget;
}

export const BudgetAdjustmentConnection = Connection(BudgetAdjustment);

@ObjectType()
export class RequestBudgetAdjustmentPayload {
  @Field(() => BudgetAdjustment) budgetAdjustment: BudgetAdjustment;
}

@ObjectType()
export class ApproveBudgetAdjustmentPayload {
  @Field(() => BudgetAdjustment) budgetAdjustment: BudgetAdjustment;
}

@ObjectType()
export class RejectBudgetAdjustmentPayload {
  @Field(() => BudgetAdjustment) budgetAdjustment: BudgetAdjustment;
}

@ObjectType()
export class SetBudgetSettingsPayload {
  @Field(() => BudgetSettings) settings: BudgetSettings;
}

@ObjectType({ description: 'A KPI and its value (or a value per unit of it); null when unknown.' })
export class BudgetKpiValue {
  @Field(() => Kpi) kpi: Kpi;
  @Field(() => DecimalScalar, { nullable: true }) value: Decimal | null;
}

@ObjectType({ description: 'One bucket (week or month) of a budget’s burn.' })
export class BurnPoint {
  @Field(() => DateScalar, { description: 'First day of the bucket: an ISO week’s Monday, or a month’s first day.' }) periodStart: string;
  @Field(() => DecimalScalar, { description: 'The plan spread evenly over the period’s days, summed to the bucket’s last day.' }) plannedCumulative: Decimal;
  @Field(() => DecimalScalar, { description: 'Non-void expenses up to the bucket’s last day.' }) spentCumulative: Decimal;
  @Field(() => [BudgetKpiValue], { description: `The value in the bucket of each KPI the lines link to (the first ${MAX_BURN_KPIS} in line order: at most ${MAX_BURN_KPIS}).` })
  kpiValues: BudgetKpiValue[];
  @Field(() => [BudgetKpiValue], {
    description: `Per KPI of kpiValues (at most ${MAX_BURN_KPIS}): what the lines linked to it spent in the bucket ÷ its value in the bucket (e.g. cost per new user); null when the value is unknown, 0 or negative.`,
  })
  costPerUnit: BudgetKpiValue[];
}

registerEnumType(EfficiencyReason, {
  name: 'EfficiencyReason',
  description: 'Why a line has no cost per KPI unit.',
  valuesConfig: {
    NO_KPI_LINK: { description: 'The line links no KPI.' },
    NO_MEASUREMENTS: { description: 'Its KPI has no value in the window or none in the baseline, so no change can be measured.' },
    NO_SPEND: { description: 'The line spent nothing in the window (with no spend at all on the KPI, nothing is attributed: share and attributedChange are null).' },
    NO_GAIN: { description: 'The change attributed to the line is 0 or negative.' },
  },
});

@ObjectType({ description: 'The two equal-length runs of days budgetEfficiency compares: the budget’s period and the days just before it.' })
export class EfficiencyWindow {
  @Field(() => DateScalar, { description: 'The budget’s first day.' }) start: string;
  @Field(() => DateScalar, { description: 'The budget’s last day.' }) end: string;
  @Field(() => DateScalar, { description: 'The baseline’s first day: start − days.' }) baselineStart: string;
  @Field(() => DateScalar, { description: 'The baseline’s last day: the day before start.' }) baselineEnd: string;
  @Field(() => Int, { description: 'Days in each of the two (both ends counted).' }) days: number;
}

@ObjectType({ description: 'A line’s spend against the KPI it should move: the KPI’s change from the baseline to the window, attributed by spend (docs/api.md, “Efficiency”).' })
export class LineEfficiency {
  @Field(() => BudgetLine) line: BudgetLine;
  @Field(() => Kpi, { nullable: true, description: 'The KPI the line follows: its first linked KPI, which the figures use.' }) kpi: Kpi | null;
  @Field(() => DecimalScalar, { description: 'What the line spent in the window (expenses are dated within the budget’s period: the line’s spend).' }) spent: Decimal;
  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'The KPI’s whole change from the baseline to the window, by its aggregation: SUM, the window’s measured total minus the baseline’s pace per day over the same days; AVERAGE, the difference of the means; LAST, the difference of the last values (6 places). Null: no value in one of the two.',
  })
  kpiDelta: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'spent ÷ the window’s spend of every line of the budget following the same KPI (6 places); null when they spent nothing.' })
  share: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'kpiDelta × share: the part of the change credited to this line (6 places); the lines following one KPI add up to its kpiDelta.' })
  attributedChange: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'spent ÷ attributedChange (6 places); null when it is unknown, 0 or negative (see reason).' })
  costPerKpiUnit: Decimal | null;
  @Field(() => EfficiencyReason, { nullable: true, description: 'Why costPerKpiUnit is null; null when there is one.' }) reason: EfficiencyReason | null;
  @Field(() => EfficiencyWindow, { description: 'The window and the baseline compared (the same for every line of the budget).' })
  window: EfficiencyWindow;
}

@ObjectType({ description: 'A line or a budget reached 80 % or 100 % of its plan (announced once each).' })
export class BudgetThresholdCrossed {
  @Field(() => Budget) budget: Budget;
  @Field(() => BudgetLine, { nullable: true, description: 'The line that crossed; null when the budget as a whole did.' }) line: BudgetLine | null;
  @Field(() => Int, { description: '80 or 100 (percent of plan).' }) threshold: number;
}

@ObjectType({ description: 'An amount in one currency (amounts in different currencies are never added).' })
export class MoneyTotal {
  @Field({ description: 'ISO 4217 code.' }) currency: string;
  @Field(() => DecimalScalar, { description: 'At the currency’s scale.' }) amount: Decimal;
}

@ObjectType('ExpenseLedgerConnection', { description: 'A page of the organisation’s ledger, with the total of every expense it matches.' })
export class ExpenseLedgerConnection extends ExpenseConnection {
  @Field(() => [MoneyTotal], { description: 'The sum of the non-void matching expenses (all pages), per currency, ordered by currency code; [] when none.' })
  total: MoneyTotal[] | Promise<MoneyTotal[]>;
}

@ObjectType({
  description:
    'Spend in one bucket (not cumulative) for one currency and one value of each key grouped by (the keys not grouped by are null). planned: each line’s plan spread evenly over its budget’s days, for the bucket’s days inside the period and from..to (FIXED and VARIABLE alike); null when the spend is by campaign.',
})
export class SpendBucket {
  @Field(() => DateScalar, { description: 'First day of the bucket (a Monday, a month’s or a quarter’s first day).' }) periodStart: string;
  @Field(() => DateScalar, { description: 'Last day of the bucket; only the days from filter.from to filter.to count.' }) periodEnd: string;
  @Field({ description: 'ISO 4217 code: every amount of the row is in it.' }) currency: string;
  budgetId: string | null;
  lineId: string | null;
  @Field(() => String, { nullable: true, description: 'Grouped by CATEGORY: the line category (compared case-insensitively).' }) category: string | null;
  squadId: string | null;
  campaignId: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'The plan for the bucket’s days, at the currency’s scale; null when by campaign.' })
  planned: Decimal | null;
  @Field(() => DecimalScalar, { description: 'Non-void expenses incurred in the bucket’s days, at the currency’s scale.' }) spent: Decimal;
  @Field(() => DecimalScalar, { nullable: true, description: 'spent − planned (more than 0: over plan); null when planned is null.' })
  variance: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'variance ÷ planned × 100 (6 places); null when planned is 0 or null.' })
  variancePercent: Decimal | null;
}

import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar, Decimal, DecimalScalar } from '../../common/scalars';
import { Squad } from '../squads';
import { OkrStatus } from '../okrs';

/** The language of a report's Markdown. */
export enum ReportLanguage {
  ZH = 'ZH',
  EN = 'EN',
}
registerEnumType(ReportLanguage, {
  name: 'ReportLanguage',
  description: 'ZH: Simplified Chinese (简体中文); EN: English.',
});

@ObjectType({ description: 'A check-in made in the week on one of the squad’s key results, with what it changed.' })
export class WeeklyCheckIn {
  @Field(() => ID, { description: 'Global id of the CheckIn.' }) checkInId: string;
  @Field(() => ID, { description: 'Global id of the KeyResult.' }) keyResultId: string;
  @Field() keyResultTitle: string;
  @Field(() => String, { nullable: true }) unit: string | null;
  @Field(() => Date) createdAt: Date;
  @Field(() => String, { nullable: true, description: 'Display name of the author; null when unknown (a KPI-follow check-in).' })
  authorName: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'The value before this check-in: the previous check-in’s, else the start value.' })
  previousValue: Decimal | null;
  @Field(() => DecimalScalar) value: Decimal;
  @Field(() => Float, { nullable: true, description: 'Confidence of the previous check-in; null for the first one.' })
  previousConfidence: number | null;
  @Field(() => Float) confidence: number;
  @Field(() => String, { nullable: true }) note: string | null;
}

@ObjectType({
  description:
    'A key result of the squad that moved in the week (value or progress changed) or whose status got worse (AT_RISK or OFF_TRACK at the week’s end but better at its start), from its check-ins.',
})
export class WeeklyKeyResultChange {
  @Field(() => ID, { description: 'Global id of the KeyResult.' }) keyResultId: string;
  @Field() title: string;
  @Field() objectiveTitle: string;
  @Field(() => String, { nullable: true }) unit: string | null;
  @Field(() => DecimalScalar, { description: 'Value at the start of the week (the last check-in before Monday, else the start value).' })
  valueAtStart: Decimal;
  @Field(() => DecimalScalar, { description: 'Value at the end of the week (the last check-in up to Sunday).' }) valueAtEnd: Decimal;
  @Field(() => Float) progressAtStart: number;
  @Field(() => Float) progressAtEnd: number;
  @Field(() => OkrStatus, { description: 'Status on the day before Monday, by the OKR rules (confidence, else pace in the cycle).' })
  statusAtStart: OkrStatus;
  @Field(() => OkrStatus, { description: 'Status on Sunday, by the same rules.' }) statusAtEnd: OkrStatus;
  @Field({ description: 'Its value or progress changed in the week.' }) moved: boolean;
  @Field({ description: 'It turned AT_RISK or OFF_TRACK in the week (worse at the end than at the start).' }) turnedWorse: boolean;
}

@ObjectType({ description: 'A task of the squad: done in the week, or overdue at the week’s end.' })
export class WeeklyTask {
  @Field(() => ID, { description: 'Global id of the Task.' }) taskId: string;
  @Field() title: string;
  @Field(() => String, { nullable: true }) assigneeName: string | null;
  @Field(() => DateScalar, { nullable: true }) dueOn: string | null;
  @Field(() => Date, { nullable: true }) completedAt: Date | null;
}

@ObjectType({ description: 'A KPI of the squad: its value at the week’s end against the bucket before.' })
export class WeeklyKpiMovement {
  @Field(() => ID, { description: 'Global id of the Kpi.' }) kpiId: string;
  @Field() key: string;
  @Field() name: string;
  @Field(() => String, { nullable: true }) unit: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'Start of the latest measured period starting on or before the week’s end.' })
  periodStart: string | null;
  @Field(() => DecimalScalar, { nullable: true }) value: Decimal | null;
  @Field(() => DateScalar, { nullable: true, description: 'Start of the bucket (of the KPI’s grain) before periodStart.' })
  previousPeriodStart: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'Its value in the bucket before; null when that bucket has no measurement.' })
  previousValue: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'value − previousValue; null when either is null.' })
  change: Decimal | null;
}

@ObjectType({ description: 'An alert of one of the squad’s KPIs raised or resolved in the week.' })
export class WeeklyKpiAlert {
  @Field(() => ID, { description: 'Global id of the KpiAlert.' }) alertId: string;
  @Field() kpiKey: string;
  @Field() kpiName: string;
  @Field(() => String, { description: 'WARNING or CRITICAL.' }) level: string;
  @Field(() => String, { description: 'OPEN, ACKNOWLEDGED or RESOLVED, now.' }) status: string;
  @Field() message: string;
  @Field(() => Date) raisedAt: Date;
  @Field(() => Date, { nullable: true }) resolvedAt: Date | null;
  @Field() raisedInWeek: boolean;
  @Field() resolvedInWeek: boolean;
}

@ObjectType({ description: 'A budget line of one of the squad’s budgets: spent in the week against its plan pro rata for the week.' })
export class WeeklySpendLine {
  @Field(() => ID, { description: 'Global id of the BudgetLine.' }) budgetLineId: string;
  @Field() budgetName: string;
  @Field() lineName: string;
  @Field() currency: string;
  @Field(() => DecimalScalar, { description: 'Expenses (not voided) incurred in the week.' }) spent: Decimal;
  @Field(() => DecimalScalar, {
    description: 'The line’s planned amount × the days of the week inside the budget’s period ÷ the days of that period, rounded to the currency.',
  })
  planned: Decimal;
  @Field(() => DecimalScalar, { description: 'spent − planned.' }) difference: Decimal;
}

@ObjectType({ description: 'A squad’s weekly report (周报) for one ISO week, as data and as Markdown.' })
export class SquadWeeklyReport {
  squadId: string;
  @Field(() => Squad) squad: Squad;
  @Field(() => DateScalar, { description: 'Monday of the ISO week holding weekOf.' }) weekStart: string;
  @Field(() => DateScalar, { description: 'Sunday of that week.' }) weekEnd: string;
  @Field(() => ReportLanguage, { description: 'The language of `markdown`.' }) language: ReportLanguage;
  @Field(() => [WeeklyCheckIn], { description: 'Check-ins made in the week, oldest first.' }) checkIns: WeeklyCheckIn[];
  @Field(() => [WeeklyKeyResultChange], { description: 'Key results that moved or turned at risk / off track, by objective then title.' })
  keyResults: WeeklyKeyResultChange[];
  @Field(() => [WeeklyTask], { description: 'Tasks completed in the week, in completion order.' }) tasksDone: WeeklyTask[];
  @Field(() => [WeeklyTask], { description: 'Tasks due on or before Sunday and not done by the week’s end, earliest due first.' })
  tasksOverdue: WeeklyTask[];
  @Field(() => [WeeklyKpiMovement], { description: 'The squad’s KPIs (linked to its key results or owned by its lead or members), by key.' })
  kpis: WeeklyKpiMovement[];
  @Field(() => [WeeklyKpiAlert], { description: 'Alerts of those KPIs raised or resolved in the week, oldest first.' }) alerts: WeeklyKpiAlert[];
  @Field(() => [WeeklySpendLine], {
    nullable: true,
    description: 'The lines of the squad’s budgets whose period overlaps the week; null when the caller may not read budgets.',
  })
  spend: WeeklySpendLine[] | null;
  @Field({ description: 'The same report as Markdown for a chat group, in `language`.' }) markdown: string;
}

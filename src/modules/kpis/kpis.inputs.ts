import Decimal from 'decimal.js';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { Grain } from '../../common/graphql-enums';
import { IdempotencyKeyField } from '../../common/idempotency';
import { SingleLineName } from '../../common/input-text';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { KpiAggregation, KpiAlertLevel, KpiAlertStatus, KpiDirection, KpiLayer, KpiStatus, MAX_KPI_KEY_LENGTH } from './kpi-rules';
import { MAX_FORMULA_LENGTH } from './kpi-formula';

export const MAX_MEASUREMENTS_PER_CALL = 10_000;
export const MAX_WHAT_IF_CHANGES = 50;
export const MAX_DELETED_PERIODS_PER_CALL = 1000;

@InputType({ description: 'Values outside the range raise a WARNING alert on the bad side (see direction).' })
export class KpiRangeInput {
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() min?: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() max?: Decimal | null;
}

@InputType({ description: 'A value strictly below a "below" or above an "above" threshold raises an alert of that level.' })
export class KpiThresholdsInput {
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() warningBelow?: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() criticalBelow?: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() warningAbove?: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() criticalAbove?: Decimal | null;
}

const KEY_RULE = { message: 'key must be a lower-case slug: a letter, then letters, digits or _ (e.g. conversion_rate)' };

@InputType()
export class CreateKpiInput {
  @Field({ description: `Stable slug unique in the organisation, at most ${MAX_KPI_KEY_LENGTH} characters (gmv, conversion_rate).` })
  @Length(1, MAX_KPI_KEY_LENGTH, { message: `key must be 1 to ${MAX_KPI_KEY_LENGTH} characters` })
  @Matches(/^[a-z][a-z0-9_]*$/, KEY_RULE)
  key: string;
  @Field() @Length(1, 200, { message: 'name must be 1 to 200 characters' }) @SingleLineName() name: string;
  @Field({ nullable: true, description: 'How it is computed and counted (口径); at most 5000 characters.' }) @IsOptional() @MaxLength(5000) definition?: string;
  @Field({ nullable: true, description: 'e.g. CNY, %, users.' }) @IsOptional() @MaxLength(30) unit?: string;
  @Field(() => KpiLayer) layer: KpiLayer;
  @Field(() => KpiDirection, { nullable: true, defaultValue: KpiDirection.HIGHER_IS_BETTER }) @IsOptional() direction?: KpiDirection;
  @Field(() => KpiAggregation, { nullable: true, defaultValue: KpiAggregation.SUM }) @IsOptional() aggregation?: KpiAggregation;
  @Field(() => Grain, {
    nullable: true,
    defaultValue: Grain.WEEK,
    description: 'How often it is measured: DAY, WEEK or MONTH (QUARTER is refused). A formula KPI has its inputs’ grain.',
  })
  @IsOptional()
  grain?: Grain;
  @Field(() => ID, { nullable: true, description: 'The Kpi it drives (its parent in the tree).' }) @GlobalIdOf('Kpi') @IsOptional() parentId?: string;
  @Field({ nullable: true, description: `Over the keys of its children (so usually set with updateKpi once they exist); at most ${MAX_FORMULA_LENGTH} characters.` })
  @IsOptional()
  @MaxLength(MAX_FORMULA_LENGTH)
  formula?: string;
  @Field(() => ID, { nullable: true, description: 'A User answerable for it; receives its alerts in myWork.' }) @GlobalIdOf('User') @IsOptional() ownerId?: string;
  @Field({ nullable: true, defaultValue: false, description: 'At most one active north star per organisation; it has no parent.' }) @IsOptional() isNorthStar?: boolean;
  @Field(() => KpiRangeInput, { nullable: true }) @IsOptional() @ValidateNested() normalRange?: KpiRangeInput;
  @Field(() => KpiThresholdsInput, { nullable: true }) @IsOptional() @ValidateNested() thresholds?: KpiThresholdsInput;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType({ description: 'Omitted fields stay as they are; `formula: null`, `ownerId: null`, `normalRange: null`, `thresholds: null` clear them. The key never changes.' })
export class UpdateKpiInput {
  @Field(() => ID) @GlobalIdOf('Kpi') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT with extensions.currentVersion.' }) @IsInt() expectedVersion: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200, { message: 'name must be 1 to 200 characters' }) @SingleLineName() name?: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(5000) definition?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(30) unit?: string | null;
  @Field(() => KpiLayer, { nullable: true }) @IsOptional() layer?: KpiLayer;
  @Field(() => KpiDirection, { nullable: true }) @IsOptional() direction?: KpiDirection;
  @Field(() => KpiAggregation, { nullable: true }) @IsOptional() aggregation?: KpiAggregation;
  @Field(() => Grain, {
    nullable: true,
    description: 'DAY, WEEK or MONTH. Refused while a measurement does not start a period of the new grain, or while it would differ from the grain of the formula reading it (or, for a formula KPI, of its inputs).',
  })
  @IsOptional()
  grain?: Grain;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(MAX_FORMULA_LENGTH) formula?: string | null;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('User') @IsOptional() ownerId?: string | null;
  @Field({ nullable: true }) @IsOptional() isNorthStar?: boolean;
  @Field(() => KpiRangeInput, { nullable: true }) @IsOptional() @ValidateNested() normalRange?: KpiRangeInput | null;
  @Field(() => KpiThresholdsInput, { nullable: true }) @IsOptional() @ValidateNested() thresholds?: KpiThresholdsInput | null;
}

@InputType()
export class MoveKpiInput {
  @Field(() => ID) @GlobalIdOf('Kpi') id: string;
  @Field(() => ID, { nullable: true, description: 'The new parent Kpi; null makes it a root.' }) @GlobalIdOf('Kpi') @IsOptional() parentId?: string | null;
  @Field(() => Int, { nullable: true, description: 'The version you read; a stale one gets CONFLICT.' }) @IsOptional() @IsInt() expectedVersion?: number;
}

@InputType()
export class ArchiveKpiInput {
  @Field(() => ID) @GlobalIdOf('Kpi') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT.' }) @IsInt() expectedVersion: number;
}

@InputType()
export class MeasurementInput {
  @Field({ description: 'The key of a measured (non-formula) KPI.' }) kpiKey: string;
  @Field(() => DateScalar, { description: 'First day of the period (e.g. the Monday of a week).' }) periodStart: string;
  @Field({ description: 'A decimal number written as a string ("12345.67"); checked per row.' }) value: string;
  @Field({ nullable: true, description: 'Where it came from, at most 200 characters.' }) source?: string;
}

@InputType()
export class RecordMeasurementsInput {
  @Field(() => [MeasurementInput], { description: `1 to ${MAX_MEASUREMENTS_PER_CALL} rows; all are recorded or none.` })
  @ArrayMinSize(1, { message: 'measurements must hold at least one row' })
  @ArrayMaxSize(MAX_MEASUREMENTS_PER_CALL, { message: `measurements holds at most ${MAX_MEASUREMENTS_PER_CALL} rows` })
  measurements: MeasurementInput[];
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class DeleteMeasurementsInput {
  @Field(() => ID, { description: 'A measured (non-formula) Kpi.' }) @GlobalIdOf('Kpi') kpiId: string;
  @Field(() => [DateScalar], { description: `1 to ${MAX_DELETED_PERIODS_PER_CALL} period starts; a period without a measurement is skipped.` })
  @ArrayMinSize(1, { message: 'periodStarts must hold at least one day' })
  @ArrayMaxSize(MAX_DELETED_PERIODS_PER_CALL, { message: `periodStarts holds at most ${MAX_DELETED_PERIODS_PER_CALL} days` })
  periodStarts: string[];
}

@InputType()
export class KpiChangeInput {
  @Field() @MaxLength(200) kpiKey: string;
  @Field(() => DecimalScalar, { description: 'Change in percent, e.g. "10" for +10 %, "-5" for −5 % (from -100 to 10000).' }) percent: Decimal;
}

@InputType()
export class KpiWhatIfInput {
  @Field({ nullable: true, description: 'The tree to project; the north star when omitted (NOT_FOUND naming rootKey in an organisation without one).' }) @IsOptional() @MaxLength(200) rootKey?: string;
  @Field(() => DateScalar, {
    nullable: true,
    description:
      'Any day of the period whose values are the baseline (a period of the tree root’s grain: 2026-04-01 in a weekly tree is the week from Monday 2026-03-30); omitted, the latest complete period (the last one that ended before today, UTC).',
  })
  @IsOptional()
  periodStart?: string | null;
  @Field(() => [KpiChangeInput], { description: `1 to ${MAX_WHAT_IF_CHANGES} changes of KPIs in the tree.` })
  @ArrayMinSize(1, { message: 'changes must hold at least one change' })
  @ArrayMaxSize(MAX_WHAT_IF_CHANGES, { message: `changes holds at most ${MAX_WHAT_IF_CHANGES} changes` })
  @ValidateNested({ each: true })
  changes: KpiChangeInput[];
}

@InputType()
export class KpisFilter {
  @Field(() => KpiLayer, { nullable: true }) @IsOptional() layer?: KpiLayer;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('User') @IsOptional() ownerId?: string;
  @Field(() => KpiStatus, { nullable: true, description: 'Status from the latest value (stored with it, so it filters in SQL).' }) @IsOptional() status?: KpiStatus;
  @Field({ nullable: true, defaultValue: false, description: 'false (default): active KPIs; true: archived ones.' }) @IsOptional() archived?: boolean;
}

@InputType()
export class KpiAlertsFilter {
  @Field(() => KpiAlertStatus, { nullable: true }) @IsOptional() status?: KpiAlertStatus;
  @Field(() => KpiAlertLevel, { nullable: true }) @IsOptional() level?: KpiAlertLevel;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Kpi') @IsOptional() kpiId?: string;
}

@InputType()
export class AcknowledgeKpiAlertInput {
  @Field(() => ID) @GlobalIdOf('KpiAlert') id: string;
  @Field({ nullable: true, description: 'At most 2000 characters.' }) @IsOptional() @MaxLength(2000) note?: string;
}

@InputType()
export class KpiAlertRaisedFilter {
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Kpi') @IsOptional() kpiId?: string;
  @Field(() => KpiAlertLevel, { nullable: true }) @IsOptional() level?: KpiAlertLevel;
}

@InputType()
export class KpiAlertsRaisedInBulkFilter {
  @Field(() => KpiAlertLevel, { nullable: true, description: 'Only calls that raised at least one alert of this level.' }) @IsOptional() level?: KpiAlertLevel;
}

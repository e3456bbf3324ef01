import Decimal from 'decimal.js';
import { IsInt, IsOptional, Length, Max, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { IdempotencyKeyField } from '../../common/idempotency';
import { DecimalScalar } from '../../common/scalars';
import { AdjustmentStatus } from './budget-rules';

@InputType()
export class RequestBudgetAdjustmentInput {
  @Field(() => ID) @GlobalIdOf('Budget') budgetId: string;
  @Field(() => ID, {
    nullable: true,
    description: 'The line giving the money: a line of this budget, or a reserve pool (of any budget in the same currency). Omitted: raise the budget.',
  })
  @GlobalIdOf('BudgetLine')
  @IsOptional()
  fromLineId?: string;
  @Field(() => ID, { description: 'The line of this budget receiving the money.' }) @GlobalIdOf('BudgetLine') toLineId: string;
  @Field(() => DecimalScalar, { description: 'More than 0, in the budget’s currency.' }) amount: Decimal;
  @Field() @Length(1, 2000, { message: 'reason must be 1 to 2000 characters' }) reason: string;
  @Field({ defaultValue: false, description: 'Fast track (快速通道): due within the organisation’s fast-track deadline.' }) fastTrack: boolean;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class DecideBudgetAdjustmentInput {
  @Field(() => ID) @GlobalIdOf('BudgetAdjustment') id: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(2000) note?: string;
}

@InputType()
export class WithdrawBudgetAdjustmentInput {
  @Field(() => ID) @GlobalIdOf('BudgetAdjustment') id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; a stale one gets CONFLICT. Omitted: no check.' })
  @IsOptional()
  @IsInt()
  expectedVersion?: number;
}

@InputType()
export class AdjustmentsFilter {
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Budget') @IsOptional() budgetId?: string;
  @Field(() => AdjustmentStatus, { nullable: true }) @IsOptional() status?: AdjustmentStatus;
  @Field({ nullable: true, description: 'true: pending requests past their decision deadline; false: the others.' }) @IsOptional() overdue?: boolean;
}

@InputType()
export class BudgetAdjustmentsOfBudgetFilter {
  @Field(() => AdjustmentStatus, { nullable: true }) @IsOptional() status?: AdjustmentStatus;
  @Field({ nullable: true, description: 'true: pending requests past their decision deadline; false: the others.' }) @IsOptional() overdue?: boolean;
}

@InputType()
export class SetBudgetSettingsInput {
  @Field(() => Int, { description: 'Hours to decide a fast-track adjustment, 1 to 720.' })
  @IsInt()
  @Min(1, { message: 'fastTrackDecisionHours must be 1 to 720' })
  @Max(720, { message: 'fastTrackDecisionHours must be 1 to 720' })
  fastTrackDecisionHours: number;
}

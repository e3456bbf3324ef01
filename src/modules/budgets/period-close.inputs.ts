import { IsInt, IsOptional, Length } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { DateScalar } from '../../common/scalars';
import { Budget } from './budget.entity';
import { MAX_REOPEN_REASON_LENGTH } from './period-close-rules';

@InputType()
export class CloseBudgetPeriodInput {
  @Field(() => ID) @GlobalIdOf('Budget') budgetId: string;
  @Field(() => DateScalar, {
    description: 'The last day closed: within the budget’s period, not after today (UTC), not before the current closedThrough.',
  })
  through: string;
  @Field(() => Int, { nullable: true, description: 'The budget version you read; a stale one gets CONFLICT with extensions.currentVersion.' })
  @IsOptional()
  @IsInt()
  expectedVersion?: number;
}

@InputType()
export class ReopenBudgetPeriodInput {
  @Field(() => ID) @GlobalIdOf('Budget') budgetId: string;
  @Field(() => DateScalar, { nullable: true, description: 'The new last day closed, earlier than the current one and within the period; null opens the whole period.' })
  through: string | null;
  @Field({ description: `Why the period is reopened (recorded in the audit log; 1 to ${MAX_REOPEN_REASON_LENGTH} characters, trimmed).` })
  @Length(1, MAX_REOPEN_REASON_LENGTH, { message: `reason must be 1 to ${MAX_REOPEN_REASON_LENGTH} characters` })
  reason: string;
  @Field(() => Int, { nullable: true, description: 'The budget version you read; a stale one gets CONFLICT with extensions.currentVersion.' })
  @IsOptional()
  @IsInt()
  expectedVersion?: number;
}

@ObjectType()
export class CloseBudgetPeriodPayload {
  @Field(() => Budget) budget: Budget;
}

@ObjectType()
export class ReopenBudgetPeriodPayload {
  @Field(() => Budget) budget: Budget;
}

import { SingleLineName } from '../../common/input-text';
import { ArrayMaxSize, IsInt, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { DateScalar } from '../../common/scalars';
import { TaskStatus } from './task.entity';
import { IdempotencyKeyField } from '../../common/idempotency';

@InputType({ description: 'A task serves at most one key result and one sprint; its squad follows from the sprint or the key result when omitted.' })
export class CreateTaskInput {
  @Field() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) @SingleLineName() title: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(10000) description?: string;
  @Field(() => ID, { nullable: true, description: 'A User of the organisation (not a VIEWER).' }) @GlobalIdOf('User') @IsOptional() assigneeId?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() dueOn?: string;
  @Field({ nullable: true, defaultValue: false }) @IsOptional() important?: boolean;
  @Field({ nullable: true, defaultValue: false }) @IsOptional() urgent?: boolean;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('KeyResult') @IsOptional() keyResultId?: string;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Sprint') @IsOptional() sprintId?: string;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Squad') @IsOptional() squadId?: string;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType({ description: 'Omitted fields stay as they are; null clears an optional field. An assignee who is not a manager may change only title, description, dueOn, important and urgent.' })
export class UpdateTaskInput {
  @Field(() => ID) @GlobalIdOf('Task') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT with extensions.currentVersion.' })
  @IsInt()
  expectedVersion: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) @SingleLineName() title?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(10000) description?: string | null;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('User') @IsOptional() assigneeId?: string | null;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() dueOn?: string | null;
  @Field({ nullable: true }) @IsOptional() important?: boolean;
  @Field({ nullable: true }) @IsOptional() urgent?: boolean;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('KeyResult') @IsOptional() keyResultId?: string | null;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Sprint') @IsOptional() sprintId?: string | null;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Squad') @IsOptional() squadId?: string | null;
}

@InputType()
export class SetTaskStatusInput {
  @Field(() => ID) @GlobalIdOf('Task') id: string;
  @Field(() => TaskStatus) status: TaskStatus;
  @Field(() => Int, { nullable: true, description: 'When given, a stale version gets CONFLICT.' }) @IsOptional() @IsInt() expectedVersion?: number;
}

@InputType()
export class TasksFilter {
  @Field(() => [TaskStatus], { nullable: true, description: 'Any of these statuses.' }) @IsOptional() @ArrayMaxSize(4) status?: TaskStatus[];
  @Field(() => DateScalar, { nullable: true, description: 'Due strictly before this date (tasks without a due date are left out).' })
  @IsOptional()
  dueBefore?: string;
}

@InputType()
export class DeleteTaskInput {
  @Field(() => ID) @GlobalIdOf('Task') id: string;
  @Field(() => Int, { nullable: true, description: 'When given, a stale version gets CONFLICT.' }) @IsOptional() @IsInt() expectedVersion?: number;
}

@InputType({ description: 'Every field set must match; a task that matched before the change (moved out of the squad or sprint, reassigned) is delivered too.' })
export class TaskChangedFilter {
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Squad') @IsOptional() squadId?: string;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Sprint') @IsOptional() sprintId?: string;
  @Field(() => ID, { nullable: true, description: 'A User.' }) @GlobalIdOf('User') @IsOptional() assigneeId?: string;
}

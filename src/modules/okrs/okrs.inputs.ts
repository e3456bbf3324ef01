import { SingleLineName } from '../../common/input-text';
import Decimal from 'decimal.js';
import { IsInt, IsOptional, Length, Max, MaxLength, Min } from 'class-validator';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { KeyResultKind, OkrStatus } from './okr-rules';
import { IdempotencyKeyField } from '../../common/idempotency';

@InputType()
export class CreateCycleInput {
  @Field({ description: 'e.g. 2026-Q2; unique in the organisation.' }) @Length(1, 50, { message: 'name must be 1 to 50 characters' }) @SingleLineName() name: string;
  @Field(() => DateScalar) startsOn: string;
  @Field(() => DateScalar) endsOn: string;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class CloseCycleInput {
  @Field(() => ID) @GlobalIdOf('Cycle') cycleId: string;
}

@InputType()
export class CyclesFilter {
  @Field({ nullable: true, description: 'true: only open cycles; false: only closed ones.' }) @IsOptional() open?: boolean;
}

@InputType()
export class CreateObjectiveInput {
  @Field(() => ID) @GlobalIdOf('Cycle') cycleId: string;
  @Field() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) @SingleLineName() title: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(5000) description?: string;
  @Field(() => ID, { nullable: true, description: 'A User; the caller when omitted.' }) @GlobalIdOf('User') @IsOptional() ownerId?: string;
  @Field(() => ID, { nullable: true, description: 'The Squad working on it; a SQUAD_LEAD must name a squad they lead.' })
  @GlobalIdOf('Squad')
  @IsOptional()
  squadId?: string;
  @Field(() => ID, { nullable: true, description: 'The Objective it aligns to (company → squad → person).' })
  @GlobalIdOf('Objective')
  @IsOptional()
  parentId?: string;
  @Field(() => DecimalScalar, { nullable: true, description: "Weight in the parent's roll-up; 1 when omitted." })
  @IsOptional()
  weight?: Decimal;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType({ description: 'Omitted fields stay as they are; `squadId: null` / `parentId: null` remove the link.' })
export class UpdateObjectiveInput {
  @Field(() => ID) @GlobalIdOf('Objective') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT with extensions.currentVersion.' })
  @IsInt()
  expectedVersion: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) @SingleLineName() title?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(5000) description?: string | null;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('User') @IsOptional() ownerId?: string;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Squad') @IsOptional() squadId?: string | null;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Objective') @IsOptional() parentId?: string | null;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() weight?: Decimal;
}

@InputType()
export class ObjectivesFilter {
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Cycle') @IsOptional() cycleId?: string;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Squad') @IsOptional() squadId?: string;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('User') @IsOptional() ownerId?: string;
  @Field(() => OkrStatus, { nullable: true, description: 'Status today (stored with the progress it follows, so it filters and counts in SQL).' })
  @IsOptional()
  status?: OkrStatus;
  @Field({ nullable: true, defaultValue: false, description: 'false (default): active objectives; true: archived ones.' })
  @IsOptional()
  archived?: boolean;
}

@InputType()
export class CreateKeyResultInput {
  @Field(() => ID) @GlobalIdOf('Objective') objectiveId: string;
  @Field() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) @SingleLineName() title: string;
  @Field(() => KeyResultKind) kind: KeyResultKind;
  @Field({ nullable: true, description: 'e.g. %, 篇/天.' }) @IsOptional() @MaxLength(30) unit?: string;
  @Field(() => DecimalScalar, { nullable: true, description: 'Required except for MILESTONE (0).' }) @IsOptional() startValue?: Decimal;
  @Field(() => DecimalScalar, { nullable: true, description: 'Required except for MILESTONE (1).' }) @IsOptional() targetValue?: Decimal;
  @Field(() => DecimalScalar, { nullable: true, description: "Weight in the objective's roll-up; 1 when omitted." })
  @IsOptional()
  weight?: Decimal;
  @Field(() => ID, { nullable: true, description: "A User; the objective's owner when omitted." }) @GlobalIdOf('User') @IsOptional() ownerId?: string;
  @Field(() => ID, { nullable: true, description: "A Kpi the key result follows: each new latest value of the KPI records a check-in." })
  @GlobalIdOf('Kpi')
  @IsOptional()
  kpiId?: string;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType({ description: 'Omitted fields stay as they are.' })
export class UpdateKeyResultInput {
  @Field(() => ID) @GlobalIdOf('KeyResult') id: string;
  @Field(() => Int) @IsInt() expectedVersion: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) @SingleLineName() title?: string;
  @Field(() => KeyResultKind, { nullable: true }) @IsOptional() kind?: KeyResultKind;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(30) unit?: string | null;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() startValue?: Decimal;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() targetValue?: Decimal;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() weight?: Decimal;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('User') @IsOptional() ownerId?: string;
  @Field(() => ID, { nullable: true, description: 'The Kpi to follow; null stops following.' }) @GlobalIdOf('Kpi') @IsOptional() kpiId?: string | null;
}

@InputType()
export class CheckInKeyResultInput {
  @Field(() => ID) @GlobalIdOf('KeyResult') keyResultId: string;
  @Field(() => DecimalScalar, { description: 'The measured value now (MILESTONE: 1 done, 0 not done).' }) value: Decimal;
  @Field(() => Float, { description: 'How sure you are of reaching the target, 0..1.' })
  @Min(0, { message: 'confidence must be between 0 and 1' })
  @Max(1, { message: 'confidence must be between 0 and 1' })
  confidence: number;
  @Field({ nullable: true }) @IsOptional() @MaxLength(5000) note?: string;
  @Field(() => Int, { description: 'The key result version you read; a stale one gets CONFLICT with extensions.currentVersion.' })
  @IsInt()
  expectedVersion: number;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class KeyResultCheckedInFilter {
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Squad') @IsOptional() squadId?: string;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Objective') @IsOptional() objectiveId?: string;
}

@InputType()
export class ObjectiveProgressChangedFilter {
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Cycle') @IsOptional() cycleId?: string;
}

@InputType()
export class UpdateCycleInput {
  @Field(() => ID) @GlobalIdOf('Cycle') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT.' }) @IsInt() expectedVersion: number;
  @Field({ nullable: true, description: 'Unique in the organisation.' })
  @IsOptional()
  @Length(1, 50, { message: 'name must be 1 to 50 characters' })
  @SingleLineName()
  name?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() startsOn?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() endsOn?: string;
}

@InputType()
export class ArchiveObjectiveInput {
  @Field(() => ID) @GlobalIdOf('Objective') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT.' }) @IsInt() expectedVersion: number;
}

@InputType()
export class ArchiveKeyResultInput {
  @Field(() => ID) @GlobalIdOf('KeyResult') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT.' }) @IsInt() expectedVersion: number;
}

@InputType()
export class DeleteKeyResultInput {
  @Field(() => ID) @GlobalIdOf('KeyResult') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT.' }) @IsInt() expectedVersion: number;
}

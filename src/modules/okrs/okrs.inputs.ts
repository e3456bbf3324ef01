import Decimal from 'decimal.js';
import { IsInt, IsOptional, Length, Max, MaxLength, Min } from 'class-validator';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { KeyResultKind, OkrStatus } from './okr-rules';

@InputType()
export class CreateCycleInput {
  @Field({ description: 'e.g. 2026-Q2; unique in the organisation.' }) @Length(1, 50, { message: 'name must be 1 to 50 characters' }) name: string;
  @Field(() => DateScalar) startsOn: string;
  @Field(() => DateScalar) endsOn: string;
}

@InputType()
export class CloseCycleInput {
  @Field(() => ID) cycleId: string;
}

@InputType()
export class CyclesFilter {
  @Field({ nullable: true, description: 'true: only open cycles; false: only closed ones.' }) @IsOptional() open?: boolean;
}

@InputType()
export class CreateObjectiveInput {
  @Field(() => ID) cycleId: string;
  @Field() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) title: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(5000) description?: string;
  @Field(() => ID, { nullable: true, description: 'A User; the caller when omitted.' }) @IsOptional() ownerId?: string;
  @Field(() => ID, { nullable: true, description: 'The Squad working on it; a SQUAD_LEAD must name a squad they lead.' })
  @IsOptional()
  squadId?: string;
  @Field(() => ID, { nullable: true, description: 'The Objective it aligns to (company → squad → person).' })
  @IsOptional()
  parentId?: string;
  @Field(() => DecimalScalar, { nullable: true, description: "Weight in the parent's roll-up; 1 when omitted." })
  @IsOptional()
  weight?: Decimal;
}

@InputType({ description: 'Omitted fields stay as they are; `squadId: null` / `parentId: null` remove the link.' })
export class UpdateObjectiveInput {
  @Field(() => ID) id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT with extensions.currentVersion.' })
  @IsInt()
  expectedVersion: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) title?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(5000) description?: string | null;
  @Field(() => ID, { nullable: true }) @IsOptional() ownerId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() squadId?: string | null;
  @Field(() => ID, { nullable: true }) @IsOptional() parentId?: string | null;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() weight?: Decimal;
}

@InputType()
export class ObjectivesFilter {
  @Field(() => ID, { nullable: true }) @IsOptional() cycleId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() squadId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() ownerId?: string;
  @Field(() => OkrStatus, { nullable: true, description: 'Status today (stored with the progress it follows, so it filters and counts in SQL).' })
  @IsOptional()
  status?: OkrStatus;
}

@InputType()
export class CreateKeyResultInput {
  @Field(() => ID) objectiveId: string;
  @Field() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) title: string;
  @Field(() => KeyResultKind) kind: KeyResultKind;
  @Field({ nullable: true, description: 'e.g. %, 篇/天.' }) @IsOptional() @MaxLength(30) unit?: string;
  @Field(() => DecimalScalar, { nullable: true, description: 'Required except for MILESTONE (0).' }) @IsOptional() startValue?: Decimal;
  @Field(() => DecimalScalar, { nullable: true, description: 'Required except for MILESTONE (1).' }) @IsOptional() targetValue?: Decimal;
  @Field(() => DecimalScalar, { nullable: true, description: "Weight in the objective's roll-up; 1 when omitted." })
  @IsOptional()
  weight?: Decimal;
  @Field(() => ID, { nullable: true, description: "A User; the objective's owner when omitted." }) @IsOptional() ownerId?: string;
}

@InputType({ description: 'Omitted fields stay as they are.' })
export class UpdateKeyResultInput {
  @Field(() => ID) id: string;
  @Field(() => Int) @IsInt() expectedVersion: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) title?: string;
  @Field(() => KeyResultKind, { nullable: true }) @IsOptional() kind?: KeyResultKind;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(30) unit?: string | null;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() startValue?: Decimal;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() targetValue?: Decimal;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() weight?: Decimal;
  @Field(() => ID, { nullable: true }) @IsOptional() ownerId?: string;
}

@InputType()
export class CheckInKeyResultInput {
  @Field(() => ID) keyResultId: string;
  @Field(() => DecimalScalar, { description: 'The measured value now (MILESTONE: 1 done, 0 not done).' }) value: Decimal;
  @Field(() => Float, { description: 'How sure you are of reaching the target, 0..1.' })
  @Min(0, { message: 'confidence must be between 0 and 1' })
  @Max(1, { message: 'confidence must be between 0 and 1' })
  confidence: number;
  @Field({ nullable: true }) @IsOptional() @MaxLength(5000) note?: string;
  @Field(() => Int, { description: 'The key result version you read; a stale one gets CONFLICT with extensions.currentVersion.' })
  @IsInt()
  expectedVersion: number;
}

@InputType()
export class KeyResultCheckedInFilter {
  @Field(() => ID, { nullable: true }) @IsOptional() squadId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() objectiveId?: string;
}

@InputType()
export class ObjectiveProgressChangedFilter {
  @Field(() => ID, { nullable: true }) @IsOptional() cycleId?: string;
}

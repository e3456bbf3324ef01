import { ArrayMaxSize, IsInt, IsOptional, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { IdempotencyKeyField } from '../../common/idempotency';
import { SingleLineName } from '../../common/input-text';
import { MAX_RACI_ACTIVITIES, RaciRole } from './raci-rules';
import { MAX_REVIEW_EVERY_DAYS, MAX_SOP_STEPS, MIN_REVIEW_EVERY_DAYS } from './sop-rules';

// --- RACI ---

@InputType()
export class CreateRaciMatrixInput {
  @Field() @Length(1, 200, { message: 'name must be 1 to 200 characters' }) @SingleLineName() name: string;
  @Field(() => ID, { nullable: true, description: 'What the matrix is for: a Campaign, Sop or Squad id; omit for a free-standing process.' })
  @IsOptional()
  @MaxLength(200)
  subjectId?: string;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType({ description: `A matrix holds at most ${MAX_RACI_ACTIVITIES} activities.` })
export class AddRaciActivityInput {
  @Field(() => ID) @GlobalIdOf('RaciMatrix') matrixId: string;
  @Field() @Length(1, 200, { message: 'name must be 1 to 200 characters' }) @SingleLineName() name: string;
}

@InputType()
export class RemoveRaciActivityInput {
  @Field(() => ID) @GlobalIdOf('RaciActivity') activityId: string;
}

@InputType({ description: 'One role per person and activity; role null clears it.' })
export class SetRaciAssignmentInput {
  @Field(() => ID) @GlobalIdOf('RaciActivity') activityId: string;
  @Field(() => ID, { description: 'A User of the organisation.' }) @GlobalIdOf('User') userId: string;
  @Field(() => RaciRole, { nullable: true }) @IsOptional() role?: RaciRole | null;
}

@InputType()
export class RaciMatricesFilter {
  @Field(() => ID, { nullable: true, description: 'Only matrices about this Campaign, Sop or Squad.' }) @IsOptional() @MaxLength(200) subjectId?: string;
}

// --- SOPs ---

@InputType()
export class CreateSopInput {
  @Field() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) @SingleLineName() title: string;
  @Field({ description: '目的.' }) @MaxLength(5000) purpose: string;
  @Field({ description: '适用范围.' }) @MaxLength(5000) scope: string;
  @Field(() => ID, { nullable: true, description: 'The User who owns the SOP (edits and submits its drafts); the caller when omitted.' })
  @GlobalIdOf('User')
  @IsOptional()
  ownerId?: string;
  @Field(() => Int, { description: `Days between reviews, ${MIN_REVIEW_EVERY_DAYS} to ${MAX_REVIEW_EVERY_DAYS}.` })
  @IsInt()
  @Min(MIN_REVIEW_EVERY_DAYS)
  @Max(MAX_REVIEW_EVERY_DAYS)
  reviewEveryDays: number;
  @Field(() => ID, { nullable: true, description: 'The RaciMatrix whose people must acknowledge the SOP (职责分工).' })
  @GlobalIdOf('RaciMatrix')
  @IsOptional()
  raciMatrixId?: string;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class SopStepInput {
  @Field() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) @SingleLineName() title: string;
  @Field() @MaxLength(10000) instructions: string;
  @Field({ nullable: true, description: 'Who carries it out.' }) @IsOptional() @MaxLength(200) role?: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(5000) qualityStandard?: string;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(100000) durationMinutes?: number;
}

@InputType({ description: 'Replaces the draft. Omitted fields stay as they are; null clears notes or changeNote.' })
export class UpdateSopDraftInput {
  @Field(() => ID) @GlobalIdOf('Sop') sopId: string;
  @Field(() => Int, { description: 'The SOP version you read; a stale one gets CONFLICT with extensions.currentVersion.' })
  @IsInt()
  expectedVersion: number;
  @Field(() => [SopStepInput], { nullable: true, description: `The steps in order (at most ${MAX_SOP_STEPS}); replace the draft's steps.` })
  @IsOptional()
  @ArrayMaxSize(MAX_SOP_STEPS)
  @ValidateNested({ each: true })
  steps?: SopStepInput[];
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(10000) notes?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(2000) changeNote?: string | null;
}

const SOP_ID = { description: 'The Sop.' };

@InputType()
export class SubmitSopForReviewInput {
  @Field(() => ID, SOP_ID) @GlobalIdOf('Sop') sopId: string;
}

@InputType()
export class StartSopRevisionInput {
  @Field(() => ID, SOP_ID) @GlobalIdOf('Sop') sopId: string;
}

@InputType()
export class ArchiveSopInput {
  @Field(() => ID, SOP_ID) @GlobalIdOf('Sop') sopId: string;
}

@InputType()
export class AcknowledgeSopInput {
  @Field(() => ID, SOP_ID) @GlobalIdOf('Sop') sopId: string;
}

@InputType()
export class ApproveSopVersionInput {
  @Field(() => ID, SOP_ID) @GlobalIdOf('Sop') sopId: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(2000) note?: string;
}

@InputType()
export class RejectSopVersionInput {
  @Field(() => ID, SOP_ID) @GlobalIdOf('Sop') sopId: string;
  @Field({ nullable: true, description: 'What to change before the next submission.' }) @IsOptional() @MaxLength(2000) note?: string;
}

@InputType()
export class SopsFilter {
  @Field({ nullable: true, defaultValue: false, description: 'true: only archived SOPs; false: only the others.' }) @IsOptional() archived?: boolean;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('User') @IsOptional() ownerId?: string;
}

@InputType({ description: 'Links a task to the step of a published SOP version it carries out; sopStepId null unlinks.' })
export class LinkTaskToSopStepInput {
  @Field(() => ID) @GlobalIdOf('Task') taskId: string;
  @Field(() => ID, { nullable: true }) @GlobalIdOf('SopStep') @IsOptional() sopStepId?: string | null;
}

import Decimal from 'decimal.js';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { IdempotencyKeyField } from '../../common/idempotency';
import { SingleLineName } from '../../common/input-text';
import { DateScalar, DecimalScalar } from '../../common/scalars';
import { CampaignStatus, ReturnKind } from './campaign-rules';
import { ExperimentDecision } from './campaign.entity';

/** Limits of the plain lists a campaign returns whole (priced by their cap). */
export const MAX_TARGETS = 10;
export const MAX_RETURNS = 100;
export const MAX_EXPERIMENTS = 20;
export const MAX_REVIEW_ACTIONS = 20;
/** Whole numbers in a basis or a variant (users, impressions...): up to 10¹⁵, exact as JS numbers. */
const MAX_COUNT = 1e15;

@InputType({ description: 'A KPI the campaign targets, by its key, and the value aimed at.' })
export class CampaignTargetInput {
  @Field() @Length(1, 100, { message: 'kpiKey must be 1 to 100 characters' }) kpiKey: string;
  @Field(() => DecimalScalar) target: Decimal;
}

@InputType()
export class CreateCampaignInput {
  @Field() @Length(1, 200, { message: 'name must be 1 to 200 characters' }) @SingleLineName() name: string;
  @Field(() => ID, { description: 'The Squad running it; a SQUAD_LEAD names a squad they lead.' }) @GlobalIdOf('Squad') squadId: string;
  @Field(() => DateScalar) startsOn: string;
  @Field(() => DateScalar) endsOn: string;
  @Field(() => ID, { nullable: true, description: 'The BudgetLine paying for it; needed before approval.' })
  @GlobalIdOf('BudgetLine')
  @IsOptional()
  budgetLineId?: string;
  @Field(() => [CampaignTargetInput], { nullable: true, description: `KPIs targeted, at most ${MAX_TARGETS}.` })
  @IsOptional()
  @ArrayMaxSize(MAX_TARGETS)
  @ValidateNested({ each: true })
  targets?: CampaignTargetInput[];
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType({ description: 'Omitted fields stay as they are. The budget line changes only before approval; `targets` replaces the list.' })
export class UpdateCampaignInput {
  @Field(() => ID) @GlobalIdOf('Campaign') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT with extensions.currentVersion.' }) @IsInt() expectedVersion: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 200, { message: 'name must be 1 to 200 characters' }) @SingleLineName() name?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() startsOn?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() endsOn?: string;
  @Field(() => ID, { nullable: true, description: 'null removes it (DRAFT and PLANNED only).' })
  @GlobalIdOf('BudgetLine')
  @IsOptional()
  budgetLineId?: string | null;
  @Field(() => [CampaignTargetInput], { nullable: true, description: `Replaces the targets; at most ${MAX_TARGETS}.` })
  @IsOptional()
  @ArrayMaxSize(MAX_TARGETS)
  @ValidateNested({ each: true })
  targets?: CampaignTargetInput[];
}

@InputType()
export class CampaignsFilter {
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Squad') @IsOptional() squadId?: string;
  @Field(() => CampaignStatus, { nullable: true }) @IsOptional() status?: CampaignStatus;
}

@InputType()
export class TransitionCampaignInput {
  @Field(() => ID) @GlobalIdOf('Campaign') id: string;
  @Field(() => CampaignStatus) to: CampaignStatus;
  @Field(() => Int, { nullable: true, description: 'When given, a stale version gets CONFLICT.' }) @IsOptional() @IsInt() expectedVersion?: number;
}

@InputType({ description: 'The basis of a return: DIRECT gmv and grossMargin, INDIRECT newMembers and lifetimeValue, BRAND impressions and cpm.' })
export class CampaignReturnBasisInput {
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() gmv?: Decimal;
  @Field(() => DecimalScalar, { nullable: true, description: 'A ratio from 0 to 1 (0.35 for 35%).' }) @IsOptional() grossMargin?: Decimal;
  @Field(() => Float, { nullable: true, description: `A whole number, 0 to ${MAX_COUNT}.` })
  @IsOptional()
  @IsInt({ message: 'basis.newMembers must be a whole number' })
  @Min(0)
  @Max(MAX_COUNT)
  newMembers?: number;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() lifetimeValue?: Decimal;
  @Field(() => Float, { nullable: true, description: `A whole number, 0 to ${MAX_COUNT}.` })
  @IsOptional()
  @IsInt({ message: 'basis.impressions must be a whole number' })
  @Min(0)
  @Max(MAX_COUNT)
  impressions?: number;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() cpm?: Decimal;
}

@InputType({ description: 'Pass amount, or basis for the server to compute the amount exactly (both: they must agree).' })
export class RecordCampaignReturnInput {
  @Field(() => ID) @GlobalIdOf('Campaign') campaignId: string;
  @Field(() => ReturnKind) kind: ReturnKind;
  @Field(() => DecimalScalar, { nullable: true }) @IsOptional() amount?: Decimal;
  @Field(() => CampaignReturnBasisInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  basis?: CampaignReturnBasisInput;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class CreateExperimentInput {
  @Field(() => ID) @GlobalIdOf('Campaign') campaignId: string;
  @Field() @Length(1, 200, { message: 'name must be 1 to 200 characters' }) @SingleLineName() name: string;
  @Field() @Length(1, 5000, { message: 'hypothesis must be 1 to 5000 characters' }) hypothesis: string;
  @Field({ nullable: true, description: 'The key of the KPI the experiment measures.' }) @IsOptional() @Length(1, 100) metricKpiKey?: string;
  @Field(() => Float, { nullable: true, defaultValue: 0.05, description: 'Significance level, above 0 and below 0.5.' })
  @IsOptional()
  alpha?: number;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class ExperimentVariantInput {
  @Field() @Length(1, 100, { message: 'variant name must be 1 to 100 characters' }) @SingleLineName() name: string;
  @Field(() => Float, { description: `Users exposed: a whole number above 0, at most ${MAX_COUNT}.` }) @Max(MAX_COUNT) users: number;
  @Field(() => Float, { description: 'Users who converted: a whole number from 0 to users.' }) @Max(MAX_COUNT) conversions: number;
  @Field() isControl: boolean;
}

@InputType({ description: 'The running totals of the two arms; each call replaces the previous ones.' })
export class RecordExperimentResultsInput {
  @Field(() => ID) @GlobalIdOf('Experiment') experimentId: string;
  @Field(() => [ExperimentVariantInput], { description: 'Exactly two: one control and one treatment.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  variants: ExperimentVariantInput[];
}

@InputType()
export class ConcludeExperimentInput {
  @Field(() => ID) @GlobalIdOf('Experiment') experimentId: string;
  @Field(() => ExperimentDecision) decision: ExperimentDecision;
}

@InputType({ description: 'An action of a review, turned into a task of the campaign’s squad.' })
export class ReviewActionInput {
  @Field() @Length(1, 200, { message: 'title must be 1 to 200 characters' }) @SingleLineName() title: string;
  @Field(() => ID, { nullable: true, description: 'A User of the organisation (not a VIEWER).' }) @GlobalIdOf('User') @IsOptional() assigneeId?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() dueOn?: string;
}

@InputType()
export class ReviewCampaignInput {
  @Field(() => ID) @GlobalIdOf('Campaign') campaignId: string;
  @Field() @Length(1, 10000, { message: 'summary must be 1 to 10000 characters' }) summary: string;
  @Field() @MaxLength(10000) wentWell: string;
  @Field() @MaxLength(10000) toImprove: string;
  @Field(() => [ReviewActionInput], { description: `At most ${MAX_REVIEW_ACTIONS}.` })
  @ArrayMaxSize(MAX_REVIEW_ACTIONS)
  @ValidateNested({ each: true })
  actions: ReviewActionInput[];
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class CampaignChangedFilter {
  @Field(() => ID, { nullable: true }) @GlobalIdOf('Squad') @IsOptional() squadId?: string;
}

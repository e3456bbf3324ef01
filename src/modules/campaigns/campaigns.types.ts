import Decimal from 'decimal.js';
import { Field, Float, ObjectType } from 'type-graphql';
import { Connection } from '../../common/connection';
import { DecimalScalar } from '../../common/scalars';
import { Campaign, CampaignReturn, CampaignReview, Experiment } from './campaign.entity';

export const CampaignConnection = Connection(Campaign);

@ObjectType({ description: 'The two-sided two-proportion z-test of the treatment against the control (pooled proportion).' })
export class ExperimentResult {
  @Field(() => Float) controlRate: number;
  @Field(() => Float) treatmentRate: number;
  @Field(() => Float, { nullable: true, description: 'Relative: (treatment − control) ÷ control; null when the control converted nobody.' })
  lift: number | null;
  @Field(() => Float) zScore: number;
  @Field(() => Float, { description: 'Two-sided: 2 (1 − Φ(|z|)).' }) pValue: number;
  @Field({ description: 'pValue < alpha.' }) significant: boolean;
  @Field(() => String, { nullable: true, description: 'The name of the variant that converts significantly better; null when not significant.' })
  winner: string | null;
}

@ObjectType('CampaignTarget', { description: 'A KPI a campaign targets: the target and the value reached over the campaign’s dates.' })
export class CampaignTargetView {
  kpiId: string;
  campaignId: string;
  @Field(() => DecimalScalar) target: Decimal;
}

@ObjectType()
export class CreateCampaignPayload {
  @Field(() => Campaign) campaign: Campaign;
}

@ObjectType()
export class UpdateCampaignPayload {
  @Field(() => Campaign) campaign: Campaign;
}

@ObjectType()
export class TransitionCampaignPayload {
  @Field(() => Campaign) campaign: Campaign;
}

@ObjectType()
export class RecordCampaignReturnPayload {
  @Field(() => CampaignReturn) campaignReturn: CampaignReturn;
  @Field(() => Campaign) campaign: Campaign;
}

@ObjectType()
export class CreateExperimentPayload {
  @Field(() => Experiment) experiment: Experiment;
}

@ObjectType()
export class RecordExperimentResultsPayload {
  @Field(() => Experiment) experiment: Experiment;
}

@ObjectType()
export class ConcludeExperimentPayload {
  @Field(() => Experiment) experiment: Experiment;
}

@ObjectType()
export class ReviewCampaignPayload {
  @Field(() => CampaignReview) review: CampaignReview;
  @Field(() => Campaign) campaign: Campaign;
}

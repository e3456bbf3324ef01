import Decimal from 'decimal.js';
import { Field, Float, ObjectType } from 'type-graphql';
import { Connection } from '../../common/connection';
import { RATIO_PLACES } from '../../common/money';
import { DecimalScalar } from '../../common/scalars';
import { P_VALUE_DIGITS } from './campaign-rules';
import { Campaign, CampaignReturn, CampaignReview, Experiment } from './campaign.entity';

export const CampaignConnection = Connection(Campaign);

@ObjectType({ description: 'The two-sided two-proportion z-test of the treatment against the control (pooled proportion).' })
export class ExperimentResult {
  @Field(() => Float, { description: 'conversions ÷ users of the control: the double nearest the quotient (59 of 500 reads 0.118).' })
  controlRate: number;
  @Field(() => Float, { description: 'conversions ÷ users of the treatment.' })
  treatmentRate: number;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: `Relative: (treatment − control) ÷ control, computed exactly from the counts and rounded half to even to ${RATIO_PLACES} decimal places like every ratio, in its shortest form (59 of 500 against 50 of 500 is "0.18"); null when the control converted nobody.`,
  })
  lift: Decimal | null;
  @Field(() => Float) zScore: number;
  @Field(() => Float, {
    description: `Two-sided: 2·Q(|z|), Q the standard normal upper tail (erfc(|z| ÷ √2), never 1 − Φ), to ${P_VALUE_DIGITS} significant digits: a z of 8 gives 1.244192115e-15. All ${P_VALUE_DIGITS} digits down to 2.2e-308 (|z| up to about 37.5), fewer digits below; 0 only under 4.9e-324, the smallest positive double (|z| above about 38.5).`,
  })
  pValue: number;
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

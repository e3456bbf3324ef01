import Decimal from 'decimal.js';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Node } from '../../common/node';
import { DateScalar, DecimalScalar, decimalTransformer, numberTransformer } from '../../common/scalars';
import { CampaignStatus, ReturnKind } from './campaign-rules';
import { auditIdKeys } from '../audit';

registerEnumType(CampaignStatus, {
  name: 'CampaignStatus',
  description:
    'DRAFT (goal-setting) → PLANNED (resource planning) → APPROVED (design) → LIVE (execution) → COMPLETED (evaluation) → REVIEWED (复盘 recorded); DRAFT/PLANNED/APPROVED/LIVE → CANCELLED.',
});
registerEnumType(ReturnKind, {
  name: 'CampaignReturnKind',
  description: 'DIRECT (e.g. GMV × gross margin), INDIRECT (e.g. new members × lifetime value), BRAND (e.g. impressions ÷ 1000 × CPM).',
});

export enum ExperimentDecision {
  ROLL_OUT = 'ROLL_OUT',
  KEEP_CONTROL = 'KEEP_CONTROL',
  ITERATE = 'ITERATE',
}
registerEnumType(ExperimentDecision, {
  name: 'ExperimentDecision',
  description: 'What was decided when the experiment was concluded: ROLL_OUT the treatment, KEEP_CONTROL, or ITERATE (test again).',
});

@Entity('campaigns')
@ObjectType({ implements: Node, description: 'A campaign: goal-setting → resource planning → design → execution → evaluation → review (复盘).' })
export class Campaign extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Field() @Column() name: string;
  @Column({ name: 'squad_id', type: 'uuid' }) squadId: string;
  @Field(() => CampaignStatus) @Column({ type: 'varchar' }) status: CampaignStatus;
  @Field(() => DateScalar) @Column({ name: 'starts_on', type: 'date' }) startsOn: string;
  @Field(() => DateScalar) @Column({ name: 'ends_on', type: 'date' }) endsOn: string;
  @Column({ name: 'budget_line_id', type: 'uuid', nullable: true }) budgetLineId: string | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @Field(() => Int, { description: 'Increases with every change; send it back as expectedVersion.' })
  @Column({ type: 'int' })
  version: number;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Field() @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** A KPI a campaign targets; the rows of a campaign are replaced together. */
@Entity('campaign_targets')
export class CampaignTarget {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'campaign_id', type: 'uuid' }) campaignId: string;
  @Column({ name: 'kpi_id', type: 'uuid' }) kpiId: string;
  @Column({ type: 'numeric', transformer: decimalTransformer }) target: Decimal;
  @Column({ type: 'int' }) position: number;
}

@ObjectType({ description: 'What a return was computed from (kept for audit); only the fields of its kind are set.' })
export class CampaignReturnBasis {
  @Field(() => DecimalScalar, { nullable: true, description: 'DIRECT: gross merchandise value.' }) gmv?: Decimal | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'DIRECT: gross margin as a ratio (0.35 for 35%).' }) grossMargin?: Decimal | null;
  @Field(() => Float, { nullable: true, description: 'INDIRECT: members gained (a whole number).' }) newMembers?: number | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'INDIRECT: value of one member over their lifetime.' }) lifetimeValue?: Decimal | null;
  @Field(() => Float, { nullable: true, description: 'BRAND: impressions (a whole number).' }) impressions?: number | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'BRAND: cost per thousand impressions.' }) cpm?: Decimal | null;
}

/** jsonb basis <-> Decimals (stored as strings). */
const basisTransformer = {
  to: (v: CampaignReturnBasis | null | undefined) =>
    v == null
      ? v
      : Object.fromEntries(Object.entries(v).filter(([, x]) => x != null).map(([k, x]) => [k, x instanceof Decimal ? x.toFixed() : x])),
  from: (v: Record<string, string | number> | null) => {
    if (v == null) return null;
    const b = new CampaignReturnBasis();
    for (const [k, x] of Object.entries(v)) {
      (b as Record<string, unknown>)[k] = k === 'newMembers' || k === 'impressions' ? Number(x) : new Decimal(x);
    }
    return b;
  },
};

@Entity('campaign_returns')
@ObjectType({ implements: Node, description: 'A return recorded for a campaign, by kind, with the basis it was computed from.' })
export class CampaignReturn extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'campaign_id', type: 'uuid' }) campaignId: string;
  @Field(() => ReturnKind) @Column({ type: 'varchar' }) kind: ReturnKind;
  @Field(() => DecimalScalar, { description: 'In the currency of the campaign’s budget.' })
  @Column({ type: 'numeric', transformer: decimalTransformer })
  amount: Decimal;
  @Field(() => CampaignReturnBasis, { nullable: true, description: 'Null when the amount was given directly.' })
  @Column({ type: 'jsonb', nullable: true, transformer: basisTransformer })
  basis: CampaignReturnBasis | null;
  @Column({ name: 'recorded_by', type: 'uuid', nullable: true }) recordedBy: string | null;
  @Field() @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' }) recordedAt: Date;
}

@ObjectType({ description: 'One arm of an A/B experiment.' })
export class ExperimentVariant {
  @Field() name: string;
  @Field(() => Int) users: number;
  @Field(() => Int) conversions: number;
  @Field() isControl: boolean;
  @Field(() => Float, { description: 'conversions ÷ users.' }) get rate(): number {
    return this.conversions / this.users;
  }
}

const variantsTransformer = {
  to: (v: ExperimentVariant[] | null | undefined) =>
    v == null ? v : v.map(({ name, users, conversions, isControl }) => ({ name, users, conversions, isControl })),
  from: (v: Array<Omit<ExperimentVariant, 'rate'>> | null) => (v == null ? null : v.map((x) => Object.assign(new ExperimentVariant(), x))),
};

@Entity('campaign_experiments')
@ObjectType({ implements: Node, description: 'An A/B experiment of a campaign: a hypothesis, a control and a treatment, and the two-sided two-proportion z-test between them.' })
export class Experiment extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'campaign_id', type: 'uuid' }) campaignId: string;
  @Field() @Column() name: string;
  @Field() @Column({ type: 'text' }) hypothesis: string;
  @Column({ name: 'metric_kpi_id', type: 'uuid', nullable: true }) metricKpiId: string | null;
  @Field(() => Float, { description: 'Significance level of the test (0.05 by default).' })
  @Column({ type: 'numeric', transformer: numberTransformer })
  alpha: number;
  @Column({ type: 'jsonb', nullable: true, transformer: variantsTransformer }) variants: ExperimentVariant[] | null;
  @Field(() => ExperimentDecision, { nullable: true, description: 'Set when the experiment is concluded; its results no longer change.' })
  @Column({ type: 'varchar', nullable: true })
  decision: ExperimentDecision | null;
  @Field(() => Date, { nullable: true }) @Column({ name: 'concluded_at', type: 'timestamptz', nullable: true }) concludedAt: Date | null;
  @Field(() => Int, { description: 'Increases with every change.' }) @Column({ type: 'int' }) version: number;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('campaign_reviews')
@ObjectType({ implements: Node, description: 'The review (复盘) that closes a campaign.' })
export class CampaignReview extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'campaign_id', type: 'uuid' }) campaignId: string;
  @Field() @Column({ type: 'text' }) summary: string;
  @Field() @Column({ name: 'went_well', type: 'text' }) wentWell: string;
  @Field() @Column({ name: 'to_improve', type: 'text' }) toImprove: string;
  @Column({ name: 'reviewed_by', type: 'uuid', nullable: true }) reviewedBy: string | null;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** A task that serves a campaign (a review's action). */
/** An expense (of the budgets module) tagged with a campaign: its cost. One campaign per expense. */
@Entity('campaign_expenses')
export class CampaignExpense {
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ name: 'expense_id', type: 'uuid' }) expenseId: string;
  @Column({ name: 'campaign_id', type: 'uuid' }) campaignId: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('campaign_tasks')
export class CampaignTask {
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ name: 'campaign_id', type: 'uuid' }) campaignId: string;
  @PrimaryColumn({ name: 'task_id', type: 'uuid' }) taskId: string;
  @Column({ type: 'int' }) position: number;
}

/** Which keys of these types' audit snapshots are ids, and of which type (AuditEvent.before/after show global ids). */
// The review is audited on the campaign: reviewId and its action tasks' taskIds.
auditIdKeys('Campaign', { squadId: 'Squad', budgetLineId: 'BudgetLine', createdBy: 'User', reviewId: 'CampaignReview', taskIds: 'Task' });
auditIdKeys('CampaignTarget', { campaignId: 'Campaign', kpiId: 'Kpi' });
auditIdKeys('CampaignReturn', { campaignId: 'Campaign', recordedBy: 'User' });
auditIdKeys('Experiment', { campaignId: 'Campaign', metricKpiId: 'Kpi' });
auditIdKeys('CampaignReview', { campaignId: 'Campaign', reviewedBy: 'User' });
auditIdKeys('CampaignExpense', { expenseId: 'Expense', campaignId: 'Campaign' });
auditIdKeys('CampaignTask', { campaignId: 'Campaign', taskId: 'Task' });

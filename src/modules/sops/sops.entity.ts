import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Node } from '../../common/node';
import { DateScalar } from '../../common/scalars';
import { RaciProblem, RaciRole } from './raci-rules';
import { SopStatus } from './sop-rules';
import { auditIdKeys } from '../audit';

registerEnumType(RaciRole, {
  name: 'RaciRole',
  description: 'RESPONSIBLE does the work, ACCOUNTABLE answers for it (exactly one per activity), CONSULTED is asked, INFORMED is told.',
});
registerEnumType(RaciProblem, {
  name: 'RaciProblem',
  description:
    'What breaks "exactly one ACCOUNTABLE and at least one RESPONSIBLE, who can act" in an activity. RESPONSIBLE_CANNOT_ACT: a RESPONSIBLE is a VIEWER or no longer a member.',
});
registerEnumType(SopStatus, {
  name: 'SopStatus',
  description:
    'DRAFT (a version is being written), IN_REVIEW (submitted, waiting for approval), PUBLISHED (no open draft), ARCHIVED. A published SOP being revised is DRAFT or IN_REVIEW again while its currentVersion stays in force.',
});

/** What a RACI matrix may be about. */
export const RACI_SUBJECT_TYPES = ['Campaign', 'Sop', 'Squad'] as const;
export type RaciSubjectType = (typeof RACI_SUBJECT_TYPES)[number];

/** A RACI matrix: activities × people, each cell R, A, C or I. */
@Entity('raci_matrices')
@ObjectType({ implements: Node, description: 'A RACI matrix (责任矩阵) for a campaign, SOP, squad or a free-standing process.' })
export class RaciMatrix extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Field() @Column() name: string;
  @Column({ name: 'subject_type', type: 'varchar', nullable: true }) subjectType: RaciSubjectType | null;
  @Column({ name: 'subject_id', type: 'uuid', nullable: true }) subjectId: string | null;
  @Field(() => Int, { description: 'Increases with every change of the matrix, its activities or assignments.' })
  @Column({ type: 'int' })
  version: number;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Field() @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** A row of a RACI matrix. */
@Entity('raci_activities')
@ObjectType({ implements: Node, description: 'An activity (a row) of a RACI matrix.' })
export class RaciActivity extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'matrix_id', type: 'uuid' }) matrixId: string;
  @Field() @Column() name: string;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** A cell of a RACI matrix: a person's role in an activity. */
@Entity('raci_assignments')
@ObjectType({ description: "A person's role in an activity." })
export class RaciAssignment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'matrix_id', type: 'uuid' }) matrixId: string;
  @Column({ name: 'activity_id', type: 'uuid' }) activityId: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Field(() => RaciRole) @Column({ type: 'varchar' }) role: RaciRole;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** A standard operating procedure. */
@Entity('sops')
@ObjectType({
  implements: Node,
  description: 'A standard operating procedure (SOP): purpose, scope, owner, versions that are reviewed, approved, published and acknowledged.',
})
export class Sop extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Field() @Column() title: string;
  @Field({ description: '目的: why the procedure exists.' }) @Column({ type: 'text' }) purpose: string;
  @Field({ description: '适用范围: where and when it applies.' }) @Column({ type: 'text' }) scope: string;
  @Column({ name: 'owner_id', type: 'uuid' }) ownerId: string;
  @Field(() => Int, { description: 'A published version is due for review this many days after it was published.' })
  @Column({ name: 'review_every_days', type: 'int' })
  reviewEveryDays: number;
  @Column({ name: 'raci_matrix_id', type: 'uuid', nullable: true }) raciMatrixId: string | null;
  @Field(() => SopStatus) @Column({ type: 'varchar' }) status: SopStatus;
  @Column({ name: 'current_version_id', type: 'uuid', nullable: true }) currentVersionId: string | null;
  @Column({ name: 'draft_version_id', type: 'uuid', nullable: true }) draftVersionId: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'When the current version is due for review (its publication day + reviewEveryDays).' })
  @Column({ name: 'review_due_on', type: 'date', nullable: true })
  reviewDueOn: string | null;
  @Field(() => Int, { description: 'Increases with every change of the SOP or its draft; send it back as expectedVersion.' })
  @Column({ type: 'int' })
  version: number;
  @Field(() => Date, { nullable: true }) @Column({ name: 'archived_at', type: 'timestamptz', nullable: true }) archivedAt: Date | null;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Field() @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** One version of an SOP: a draft until it is published, then never changed. */
@Entity('sop_versions')
@ObjectType({ implements: Node, description: 'A version of an SOP. Once published it never changes; every version stays readable.' })
export class SopVersion extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'sop_id', type: 'uuid' }) sopId: string;
  @Field(() => Int, { description: '1, 2, 3… in the order versions were opened.' }) @Column({ type: 'int' }) number: number;
  @Field(() => String, { nullable: true, description: '注意事项: notes and cautions.' }) @Column({ type: 'text', nullable: true }) notes: string | null;
  @Field(() => String, { nullable: true, description: 'What changed from the previous version.' })
  @Column({ name: 'change_note', type: 'text', nullable: true })
  changeNote: string | null;
  @Column({ name: 'author_id', type: 'uuid', nullable: true }) authorId: string | null;
  /** Everyone who changed the content while it was a draft, in the order they first did: none of them may approve it. */
  @Column({ name: 'editor_ids', type: 'uuid', array: true }) editorIds: string[];
  @Field(() => Date, { nullable: true, description: 'When it was last submitted for review.' })
  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt: Date | null;
  @Field(() => String, { nullable: true, description: "The reviewer's note of the last approval or rejection." })
  @Column({ name: 'review_note', type: 'text', nullable: true })
  reviewNote: string | null;
  @Column({ name: 'approved_by_id', type: 'uuid', nullable: true }) approvedById: string | null;
  @Field(() => Date, { nullable: true }) @Column({ name: 'published_at', type: 'timestamptz', nullable: true }) publishedAt: Date | null;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** A step of an SOP version (操作步骤), with a stable id tasks can link to. */
@Entity('sop_steps')
@ObjectType({ implements: Node, description: 'A step of an SOP version: who does what, to which standard.' })
export class SopStep extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'sop_id', type: 'uuid' }) sopId: string;
  @Column({ name: 'version_id', type: 'uuid' }) versionId: string;
  @Field(() => Int, { description: 'Order in the version, from 1.' }) @Column({ type: 'int' }) position: number;
  @Field() @Column() title: string;
  @Field() @Column({ type: 'text' }) instructions: string;
  @Field(() => String, { nullable: true, description: 'Who carries the step out (职责分工), e.g. 客服专员.' })
  @Column({ type: 'text', nullable: true })
  role: string | null;
  @Field(() => String, { nullable: true, description: '质量标准: what done well looks like.' })
  @Column({ name: 'quality_standard', type: 'text', nullable: true })
  qualityStandard: string | null;
  @Field(() => Int, { nullable: true }) @Column({ name: 'duration_minutes', type: 'int', nullable: true }) durationMinutes: number | null;
}

/** Someone read a version of an SOP. */
@Entity('sop_acknowledgements')
@ObjectType({ description: 'A person acknowledged having read a version of an SOP.' })
export class SopAcknowledgement {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'sop_id', type: 'uuid' }) sopId: string;
  @Column({ name: 'version_id', type: 'uuid' }) versionId: string;
  @Field(() => Int, { name: 'version', description: 'The version number read.' }) @Column({ name: 'version_number', type: 'int' }) versionNumber: number;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Field() @Column({ name: 'acknowledged_at', type: 'timestamptz' }) acknowledgedAt: Date;
}

/** The SOP step a task carries out (the tasks module knows nothing of SOPs). */
@Entity('task_sop_steps')
export class TaskSopStep {
  @PrimaryColumn('uuid', { name: 'task_id' }) taskId: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'sop_step_id', type: 'uuid' }) sopStepId: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** Which keys of these types' audit snapshots are ids, and of which type (AuditEvent.before/after show global ids). */
auditIdKeys('RaciMatrix', { subjectId: (s) => (typeof s.subjectType === 'string' ? s.subjectType : null) });
// A RACI cell is audited on its activity (`raci_assignment.set`: userId and role).
auditIdKeys('RaciActivity', { matrixId: 'RaciMatrix', userId: 'User' });
auditIdKeys('RaciAssignment', { matrixId: 'RaciMatrix', activityId: 'RaciActivity', userId: 'User' });
// Versions are audited on the SOP: { sop, draft } / { sop, version }.
auditIdKeys('Sop', { ownerId: 'User', raciMatrixId: 'RaciMatrix', currentVersionId: 'SopVersion', draftVersionId: 'SopVersion', sop: 'Sop', draft: 'SopVersion', version: 'SopVersion' });
auditIdKeys('SopVersion', { sopId: 'Sop', authorId: 'User', editorIds: 'User', approvedById: 'User' });
auditIdKeys('SopStep', { sopId: 'Sop', versionId: 'SopVersion' });
auditIdKeys('SopAcknowledgement', { sopId: 'Sop', versionId: 'SopVersion', userId: 'User' });
auditIdKeys('TaskSopStep', { taskId: 'Task', sopStepId: 'SopStep' });

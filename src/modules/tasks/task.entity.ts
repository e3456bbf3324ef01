import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Node } from '../../common/node';
import { DateScalar } from '../../common/scalars';
import { TaskQuadrant } from './task-rules';
import { auditIdKeys } from '../audit';

export enum TaskStatus {
  TODO = 'TODO',
  IN_PROGRESS = 'IN_PROGRESS',
  BLOCKED = 'BLOCKED',
  DONE = 'DONE',
}
registerEnumType(TaskStatus, { name: 'TaskStatus' });
registerEnumType(TaskQuadrant, {
  name: 'TaskQuadrant',
  description: 'Eisenhower quadrant: important+urgent DO_FIRST, important SCHEDULE, urgent DELEGATE, neither ELIMINATE.',
});

/**
 * A piece of work with an assignee. It serves at most one thing of each kind it can link to
 * (key result, sprint, squad; campaigns and SOP steps come with their modules): every link is a
 * nullable column.
 */
@Entity('tasks')
@ObjectType({ implements: Node, description: 'A task: assignee, status, due date, importance and urgency, and what it serves.' })
export class Task extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Field() @Column() title: string;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ name: 'assignee_id', type: 'uuid', nullable: true }) assigneeId: string | null;
  @Column({ name: 'reporter_id', type: 'uuid', nullable: true }) reporterId: string | null;
  @Field(() => TaskStatus) @Column({ type: 'varchar' }) status: TaskStatus;
  @Field(() => DateScalar, { nullable: true }) @Column({ name: 'due_on', type: 'date', nullable: true }) dueOn: string | null;
  @Field() @Column() important: boolean;
  @Field() @Column() urgent: boolean;
  @Column({ name: 'key_result_id', type: 'uuid', nullable: true }) keyResultId: string | null;
  @Column({ name: 'sprint_id', type: 'uuid', nullable: true }) sprintId: string | null;
  @Column({ name: 'squad_id', type: 'uuid', nullable: true }) squadId: string | null;
  @Field(() => Date, { nullable: true }) @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt: Date | null;
  @Field(() => Int, { description: 'Increases with every change; send it back as expectedVersion.' })
  @Column({ type: 'int' })
  version: number;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Field() @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** Which keys of these types' audit snapshots are ids, and of which type (AuditEvent.before/after show global ids). */
auditIdKeys('Task', { assigneeId: 'User', reporterId: 'User', keyResultId: 'KeyResult', sprintId: 'Sprint', squadId: 'Squad', sopStepId: 'SopStep' });

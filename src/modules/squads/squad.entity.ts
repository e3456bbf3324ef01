import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateScalar } from '../../common/scalars';
import { Node } from '../../common/node';
import { SprintStatus } from './sprint-rules';
import { auditIdKeys } from '../audit';

export enum SquadFunction {
  DATA = 'DATA',
  CONTENT = 'CONTENT',
  CHANNEL = 'CHANNEL',
  PRODUCT = 'PRODUCT',
  SERVICE = 'SERVICE',
  OPERATIONS = 'OPERATIONS',
  OTHER = 'OTHER',
}
registerEnumType(SquadFunction, { name: 'SquadFunction', description: 'What a member brings to a cross-functional squad.' });
registerEnumType(SprintStatus, {
  name: 'SprintStatus',
  description: 'PLANNED before its first day, ACTIVE from then until closed, CLOSED once closed with a retrospective.',
});

/** A cross-functional flywheel squad (飞轮小组). */
@Entity('squads')
@ObjectType({ implements: Node, description: 'A cross-functional flywheel squad (飞轮小组) with a lead, members and monthly sprints.' })
export class Squad extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Field() @Column() name: string;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) mission: string | null;
  @Column({ name: 'lead_id', type: 'uuid' }) leadId: string;
  @Field(() => Int, { description: 'Increases with every change; send it back as expectedVersion.' })
  @Column({ type: 'int', default: 1 })
  version: number;
  @Field(() => Date, { nullable: true, description: 'When the squad was archived; archived squads leave the default lists.' })
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** A user's membership of a squad, with the function they bring. */
@Entity('squad_members')
@ObjectType({ implements: Node })
export class SquadMember extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'squad_id', type: 'uuid' }) squadId: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Field(() => SquadFunction) @Column({ type: 'varchar' }) function: SquadFunction;
  @Field({ description: 'When the user joined the squad.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** A squad's sprint (monthly by default). */
@Entity('sprints')
@ObjectType({ implements: Node, description: 'A squad sprint, monthly by default.' })
export class Sprint extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'squad_id', type: 'uuid' }) squadId: string;
  @Field() @Column() name: string;
  @Field(() => String, { nullable: true }) @Column({ type: 'text', nullable: true }) goal: string | null;
  @Field(() => DateScalar, { description: 'First day (inclusive).' }) @Column({ name: 'starts_on', type: 'date' }) startsOn: string;
  @Field(() => DateScalar, { description: 'Last day (inclusive).' }) @Column({ name: 'ends_on', type: 'date' }) endsOn: string;
  @Field(() => String, { nullable: true, description: 'Retrospective notes, written when the sprint is closed.' })
  @Column({ type: 'text', nullable: true })
  retrospective: string | null;
  @Field(() => Date, { nullable: true }) @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt: Date | null;
  @Field(() => Int, { description: 'Increases with every change; send it back as expectedVersion.' })
  @Column({ type: 'int', default: 1 })
  version: number;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** Which keys of these types' audit snapshots are ids, and of which type (AuditEvent.before/after show global ids). */
auditIdKeys('Squad', { leadId: 'User' });
auditIdKeys('SquadMember', { squadId: 'Squad', userId: 'User' });
auditIdKeys('Sprint', { squadId: 'Squad' });

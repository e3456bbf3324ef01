import { Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Node } from '../../common/node';

/** Who changed what, when, before and after. Written in the same transaction as the change. */
@Entity('audit_events')
@ObjectType({ implements: Node })
export class AuditEvent extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Field({ description: 'When the change committed.' })
  @CreateDateColumn({ name: 'at', type: 'timestamptz' })
  at: Date;
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId: string | null;
  @Column({ name: 'api_token_id', type: 'uuid', nullable: true }) apiTokenId: string | null;
  @Field({ description: 'What was done, e.g. member.added.' }) @Column() action: string;
  @Field() @Column({ name: 'entity_type' }) entityType: string;
  @Column({ name: 'entity_id', type: 'uuid' }) entityUuid: string;
  /** Stored with uuids; `AuditEvent.before` / `after` show global ids (audit.resolver.ts, audit-ids.ts). */
  @Column({ type: 'jsonb', nullable: true }) before: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) after: Record<string, unknown> | null;
  @Column({ name: 'request_id', type: 'text', nullable: true }) requestId: string | null;
}

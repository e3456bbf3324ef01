import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ApiTokenScope, Role } from '../../common/context';
import { Node } from '../../common/node';
import { auditIdKeys } from '../audit';

registerEnumType(ApiTokenScope, {
  name: 'ApiTokenScope',
  description: 'READ: queries and subscriptions only. WRITE: mutations too.',
});

/** A token for dashboards and integrations. Its secret is shown once and kept only as a hash. */
@Entity('api_tokens')
@ObjectType({ implements: Node })
export class ApiToken extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Field() @Column() name: string;
  @Field(() => [ApiTokenScope]) @Column({ type: 'text', array: true }) scopes: ApiTokenScope[];
  /**
   * The creator's role (capped at ADMIN) when the token was created; kept for the record. The
   * GraphQL field shows the role the token acts with now (api-token.resolver.ts).
   */
  @Field(() => Role, {
    nullable: true,
    description:
      'The role the token acts with now: the lower of its scopes and its creator’s current role (a READ token acts as VIEWER, a WRITE token as its creator, at most ADMIN). Null when it no longer works: revoked, expired, or its creator left the organisation.',
  })
  @Column({ type: 'varchar' })
  role: Role;
  @Column({ name: 'token_hash', select: false }) tokenHash: string;
  @Column({ name: 'created_by', type: 'uuid' }) createdById: string;
  @Field(() => Date, { nullable: true }) @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;
  @Field(() => Date, { nullable: true }) @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
  @Field(() => Date, { nullable: true }) @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** Which keys of these types' audit snapshots are ids, and of which type (AuditEvent.before/after show global ids). */
auditIdKeys('ApiToken', { createdById: 'User' });

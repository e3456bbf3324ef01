import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Role } from '../../common/context';
import { Node } from '../../common/node';
import { auditIdKeys } from '../audit';

registerEnumType(Role, { name: 'Role', description: 'What a member may do in an organisation.' });

export enum MemberStatus {
  ACTIVE = 'ACTIVE',
  INVITED = 'INVITED',
}
registerEnumType(MemberStatus, { name: 'MemberStatus' });

/** A user's membership of an organisation, with their role. */
@Entity('members')
@Index(['organizationId', 'userId'], { unique: true })
@ObjectType({ implements: Node })
export class Member extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;

  @Field(() => Role, {
    description: 'Seen through an API token, its creator’s membership shows the role the token acts with (as `viewer.role`).',
  })
  @Column({ type: 'varchar' })
  role: Role;
  @Field(() => MemberStatus) @Column({ type: 'varchar' }) status: MemberStatus;

  @Field({ description: 'When the user was added.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** Which keys of these types' audit snapshots are ids, and of which type (AuditEvent.before/after show global ids). */
auditIdKeys('Member', { userId: 'User' });

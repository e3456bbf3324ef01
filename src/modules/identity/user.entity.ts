import { Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Node } from '../../common/node';

@Entity('users')
@ObjectType({ implements: Node, description: 'A person who can sign in. Visible only to members of a shared organisation.' })
export class User extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;

  /** Stored lower-cased; unique. */
  @Field() @Column() email: string;

  @Field() @Column({ name: 'display_name' }) displayName: string;

  /** argon2id hash; null until an invited user accepts. Never exposed. */
  @Column({ name: 'password_hash', type: 'text', nullable: true, select: false })
  passwordHash: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The language and region the user prefers (a BCP 47 tag such as zh-CN or en), set with updateProfile; null: not chosen.',
  })
  @Column({ type: 'varchar', nullable: true })
  locale: string | null;

  /** When the user proved they read mail at `email` (a verification or invitation link). */
  @Column({ name: 'email_verified_at', type: 'timestamptz', nullable: true }) emailVerifiedAt: Date | null;

  /** Session tokens issued before this instant are refused (logOutEverywhere, changePassword). Internal. */
  @Column({ name: 'sessions_valid_after', type: 'timestamptz', nullable: true, select: false })
  sessionsValidAfter: Date | null;

  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

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

  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

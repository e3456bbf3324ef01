import { Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Node } from '../../common/node';

/** The tenant: everything else belongs to exactly one organisation. */
@Entity('organizations')
@ObjectType({ implements: Node, description: 'An organisation (tenant). Nothing crosses between organisations.' })
export class Organization extends Node {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Field() @Column() name: string;

  @Field({ description: 'URL-safe unique name; usable in the X-Organization-Id header.' })
  @Column({ unique: true })
  slug: string;

  @Field() @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

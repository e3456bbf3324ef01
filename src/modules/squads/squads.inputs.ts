import { IsInt, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { GlobalIdOf } from '../../common/global-ids';
import { SingleLineName } from '../../common/input-text';
import { DateScalar } from '../../common/scalars';
import { SquadFunction } from './squad.entity';
import { IdempotencyKeyField } from '../../common/idempotency';

@InputType()
export class CreateSquadInput {
  @Field() @Length(1, 100, { message: 'name must be 1 to 100 characters' }) @SingleLineName() name: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(2000) mission?: string;
  @Field(() => ID, { description: 'The User who leads the squad; must be a member of the organisation.' }) @GlobalIdOf('User') leadId: string;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class AddSquadMemberInput {
  @Field(() => ID) @GlobalIdOf('Squad') squadId: string;
  @Field(() => ID, { description: 'A User who is a member of the organisation.' }) @GlobalIdOf('User') userId: string;
  @Field(() => SquadFunction) function: SquadFunction;
}

@InputType()
export class RemoveSquadMemberInput {
  @Field(() => ID) @GlobalIdOf('Squad') squadId: string;
  @Field(() => ID) @GlobalIdOf('User') userId: string;
}

@InputType()
export class CreateSprintInput {
  @Field(() => ID) @GlobalIdOf('Squad') squadId: string;
  @Field() @Length(1, 100, { message: 'name must be 1 to 100 characters' }) @SingleLineName() name: string;
  @Field(() => DateScalar) startsOn: string;
  @Field(() => DateScalar, { nullable: true, description: 'Last day (inclusive); one calendar month after startsOn when omitted.' })
  @IsOptional()
  endsOn?: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(2000) goal?: string;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class CloseSprintInput {
  @Field(() => ID) @GlobalIdOf('Sprint') sprintId: string;
  @Field({ nullable: true, description: 'Retrospective notes (what went well, what to change).' })
  @IsOptional()
  @MaxLength(20000)
  retrospective?: string;
}

@InputType()
export class SquadsFilter {
  @Field({ nullable: true, defaultValue: false, description: 'false (default): active squads; true: archived squads.' })
  @IsOptional()
  archived?: boolean;
  @Field(() => ID, { nullable: true, description: 'Only squads this User leads.' }) @GlobalIdOf('User') @IsOptional() leadId?: string;
  @Field(() => ID, { nullable: true, description: 'Only squads this User is a member of (a lead counts once added as a member).' })
  @GlobalIdOf('User')
  @IsOptional()
  memberId?: string;
}

@InputType()
export class UpdateSquadInput {
  @Field(() => ID) @GlobalIdOf('Squad') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT.' }) @IsInt() expectedVersion: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 100, { message: 'name must be 1 to 100 characters' }) @SingleLineName() name?: string;
  @Field(() => String, { nullable: true, description: 'null clears it.' }) @IsOptional() @MaxLength(2000) mission?: string | null;
  @Field(() => ID, { nullable: true, description: 'A new lead (OWNER/ADMIN only); must be a member of the organisation.' })
  @GlobalIdOf('User')
  @IsOptional()
  leadId?: string;
}

@InputType()
export class ArchiveSquadInput {
  @Field(() => ID) @GlobalIdOf('Squad') id: string;
  @Field(() => Int, { nullable: true, description: 'When given, a stale version gets CONFLICT.' }) @IsOptional() @IsInt() expectedVersion?: number;
}

@InputType()
export class UpdateSprintInput {
  @Field(() => ID) @GlobalIdOf('Sprint') id: string;
  @Field(() => Int, { description: 'The version you read; a stale one gets CONFLICT.' }) @IsInt() expectedVersion: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 100, { message: 'name must be 1 to 100 characters' }) @SingleLineName() name?: string;
  @Field(() => String, { nullable: true, description: 'null clears it.' }) @IsOptional() @MaxLength(2000) goal?: string | null;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() startsOn?: string;
  @Field(() => DateScalar, { nullable: true }) @IsOptional() endsOn?: string;
}

import { IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { DateScalar } from '../../common/scalars';
import { SquadFunction } from './squad.entity';
import { IdempotencyKeyField } from '../../common/idempotency';

@InputType()
export class CreateSquadInput {
  @Field() @Length(1, 100, { message: 'name must be 1 to 100 characters' }) name: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(2000) mission?: string;
  @Field(() => ID, { description: 'The User who leads the squad; must be a member of the organisation.' }) leadId: string;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class AddSquadMemberInput {
  @Field(() => ID) squadId: string;
  @Field(() => ID, { description: 'A User who is a member of the organisation.' }) userId: string;
  @Field(() => SquadFunction) function: SquadFunction;
}

@InputType()
export class RemoveSquadMemberInput {
  @Field(() => ID) squadId: string;
  @Field(() => ID) userId: string;
}

@InputType()
export class CreateSprintInput {
  @Field(() => ID) squadId: string;
  @Field() @Length(1, 100, { message: 'name must be 1 to 100 characters' }) name: string;
  @Field(() => DateScalar) startsOn: string;
  @Field(() => DateScalar, { nullable: true, description: 'Last day (inclusive); one calendar month after startsOn when omitted.' })
  @IsOptional()
  endsOn?: string;
  @Field({ nullable: true }) @IsOptional() @MaxLength(2000) goal?: string;
  @IdempotencyKeyField() idempotencyKey?: string;
}

@InputType()
export class CloseSprintInput {
  @Field(() => ID) sprintId: string;
  @Field({ nullable: true, description: 'Retrospective notes (what went well, what to change).' })
  @IsOptional()
  @MaxLength(20000)
  retrospective?: string;
}

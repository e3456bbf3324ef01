import { Field, ObjectType } from 'type-graphql';
import { Connection } from '../../common/connection';
import { Sprint, Squad, SquadMember } from './squad.entity';

export const SquadConnection = Connection(Squad);
export const SprintConnection = Connection(Sprint);

@ObjectType()
export class CreateSquadPayload {
  @Field(() => Squad) squad: Squad;
}

@ObjectType()
export class AddSquadMemberPayload {
  @Field(() => SquadMember) squadMember: SquadMember;
  @Field(() => Squad) squad: Squad;
}

@ObjectType()
export class RemoveSquadMemberPayload {
  @Field({ description: 'Global id of the SquadMember that was removed.' }) removedSquadMemberId: string;
  @Field(() => Squad) squad: Squad;
}

@ObjectType()
export class CreateSprintPayload {
  @Field(() => Sprint) sprint: Sprint;
}

@ObjectType()
export class CloseSprintPayload {
  @Field(() => Sprint) sprint: Sprint;
}

@ObjectType()
export class UpdateSquadPayload {
  @Field(() => Squad) squad: Squad;
}

@ObjectType()
export class ArchiveSquadPayload {
  @Field(() => Squad) squad: Squad;
}

@ObjectType()
export class UpdateSprintPayload {
  @Field(() => Sprint) sprint: Sprint;
}

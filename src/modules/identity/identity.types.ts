import { Field, ObjectType } from 'type-graphql';
import { Role } from '../../common/context';
import { Member } from './member.entity';
import { Organization } from './organization.entity';
import { User } from './user.entity';

@ObjectType({ description: 'A session: the bearer token to send as `Authorization: Bearer <token>`.' })
export class AuthPayload {
  @Field({ description: 'Signed session token; expires (see JWT_TTL_SECONDS).' }) token: string;
  @Field(() => User) user: User;
  @Field(() => Organization) organization: Organization;
}

@ObjectType({ description: 'Who is calling, and in which organisation.' })
export class Viewer {
  @Field(() => User) user: User;
  @Field(() => Organization, { nullable: true, description: 'The organisation this request acts in.' })
  organization: Organization | null;
  @Field(() => Role, { nullable: true }) role: Role | null;
  @Field(() => [Organization], { description: 'Every organisation the user belongs to.' })
  organizations: Organization[];
}

@ObjectType()
export class AddMemberPayload {
  @Field(() => Member) member: Member;
  @Field(() => String, {
    nullable: true,
    description: 'For a new (invited) user only: the one-time token for acceptInvitation. Shown once.',
  })
  invitationToken: string | null;
}

@ObjectType()
export class AcceptInvitationPayload {
  @Field() token: string;
  @Field(() => User) user: User;
  @Field(() => Organization) organization: Organization;
}

@ObjectType()
export class ChangeMemberRolePayload {
  @Field(() => Member) member: Member;
}

@ObjectType()
export class RemoveMemberPayload {
  @Field(() => String, { description: 'Global id of the membership that was removed.' }) removedMemberId: string;
}

import { Field, ObjectType } from 'type-graphql';
import { Organization } from './organization.entity';
import { User } from './user.entity';

@ObjectType({ description: 'The same answer whether or not the address has an account.' })
export class RequestPasswordResetPayload {
  @Field({ description: 'When a link mailed now stops working (if the address has an account, the link is on its way).' })
  expiresAt: Date;
}

@ObjectType()
export class ResetPasswordPayload {
  @Field({ description: 'A fresh session token; every other session of the account has ended.' }) token: string;
  @Field(() => User) user: User;
}

@ObjectType()
export class UpdateProfilePayload {
  @Field(() => User) user: User;
}

@ObjectType()
export class UpdateOrganizationPayload {
  @Field(() => Organization) organization: Organization;
}

import { Field, ID, ObjectType } from 'type-graphql';
import { Connection } from '../../common/connection';
import { CheckIn, Cycle, KeyResult, Objective } from './okr.entity';

export const CycleConnection = Connection(Cycle);
export const ObjectiveConnection = Connection(Objective);
export const CheckInConnection = Connection(CheckIn);

@ObjectType()
export class CreateCyclePayload {
  @Field(() => Cycle) cycle: Cycle;
}

@ObjectType()
export class CloseCyclePayload {
  @Field(() => Cycle) cycle: Cycle;
}

@ObjectType()
export class CreateObjectivePayload {
  @Field(() => Objective) objective: Objective;
}

@ObjectType()
export class UpdateObjectivePayload {
  @Field(() => Objective) objective: Objective;
}

@ObjectType()
export class CreateKeyResultPayload {
  @Field(() => KeyResult) keyResult: KeyResult;
}

@ObjectType()
export class UpdateKeyResultPayload {
  @Field(() => KeyResult) keyResult: KeyResult;
}

@ObjectType()
export class CheckInKeyResultPayload {
  @Field(() => CheckIn) checkIn: CheckIn;
  @Field(() => KeyResult) keyResult: KeyResult;
}

@ObjectType({ description: 'A check-in was recorded.' })
export class KeyResultCheckedIn {
  @Field(() => CheckIn) checkIn: CheckIn;
  @Field(() => KeyResult) keyResult: KeyResult;
}

@ObjectType()
export class UpdateCyclePayload {
  @Field(() => Cycle) cycle: Cycle;
}

@ObjectType()
export class ArchiveObjectivePayload {
  @Field(() => Objective) objective: Objective;
}

@ObjectType()
export class ArchiveKeyResultPayload {
  @Field(() => KeyResult) keyResult: KeyResult;
}

@ObjectType()
export class DeleteKeyResultPayload {
  @Field(() => ID, { description: 'Global id of the KeyResult that was deleted.' }) deletedKeyResultId: string;
  @Field(() => Objective, { description: 'Its objective, whose progress may have changed.' }) objective: Objective;
}

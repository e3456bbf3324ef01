import { Field, ID, ObjectType } from 'type-graphql';
import { Connection } from '../../common/connection';
import { Task } from '../tasks';
import { RaciProblem } from './raci-rules';
import { RaciActivity, RaciAssignment, RaciMatrix, Sop, SopAcknowledgement, SopStep, SopVersion } from './sops.entity';

export const RaciMatrixConnection = Connection(RaciMatrix);
export const RaciAssignmentConnection = Connection(RaciAssignment);
export const SopConnection = Connection(Sop);
export const SopVersionConnection = Connection(SopVersion);
export const SopAcknowledgementConnection = Connection(SopAcknowledgement);

@ObjectType({ description: 'An activity of a matrix that breaks the RACI rule, and how.' })
export class RaciMatrixProblem {
  @Field(() => RaciActivity) activity: RaciActivity;
  @Field(() => RaciProblem) problem: RaciProblem;
}

@ObjectType()
export class CreateRaciMatrixPayload {
  @Field(() => RaciMatrix) raciMatrix: RaciMatrix;
}

@ObjectType()
export class AddRaciActivityPayload {
  @Field(() => RaciActivity) activity: RaciActivity;
  @Field(() => RaciMatrix) raciMatrix: RaciMatrix;
}

@ObjectType()
export class RemoveRaciActivityPayload {
  @Field(() => ID, { description: 'Global id of the RaciActivity that was removed.' }) removedActivityId: string;
  @Field(() => RaciMatrix) raciMatrix: RaciMatrix;
}

@ObjectType()
export class SetRaciAssignmentPayload {
  @Field(() => RaciActivity) activity: RaciActivity;
  @Field(() => RaciMatrix) raciMatrix: RaciMatrix;
}

@ObjectType()
export class CreateSopPayload {
  @Field(() => Sop) sop: Sop;
}

@ObjectType()
export class UpdateSopDraftPayload {
  @Field(() => Sop) sop: Sop;
}

@ObjectType()
export class SubmitSopForReviewPayload {
  @Field(() => Sop) sop: Sop;
}

@ObjectType()
export class ApproveSopVersionPayload {
  @Field(() => Sop) sop: Sop;
  @Field(() => SopVersion, { description: 'The version just published.' }) version: SopVersion;
}

@ObjectType()
export class RejectSopVersionPayload {
  @Field(() => Sop) sop: Sop;
}

@ObjectType()
export class StartSopRevisionPayload {
  @Field(() => Sop) sop: Sop;
}

@ObjectType()
export class ArchiveSopPayload {
  @Field(() => Sop) sop: Sop;
}

@ObjectType()
export class AcknowledgeSopPayload {
  @Field(() => Sop) sop: Sop;
  @Field(() => SopAcknowledgement) acknowledgement: SopAcknowledgement;
}

@ObjectType()
export class LinkTaskToSopStepPayload {
  @Field(() => Task) task: Task;
  @Field(() => SopStep, { nullable: true, description: 'The step now linked; null after unlinking.' }) sopStep: SopStep | null;
}


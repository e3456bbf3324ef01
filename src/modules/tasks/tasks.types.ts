import { Field, ObjectType, createUnionType, registerEnumType } from 'type-graphql';
import { Connection } from '../../common/connection';
import { DateScalar } from '../../common/scalars';
import { KeyResult } from '../okrs';
import { Task } from './task.entity';

export const TaskConnection = Connection(Task);

@ObjectType()
export class CreateTaskPayload {
  @Field(() => Task) task: Task;
}

@ObjectType()
export class UpdateTaskPayload {
  @Field(() => Task) task: Task;
}

@ObjectType()
export class SetTaskStatusPayload {
  @Field(() => Task) task: Task;
}

export enum WorkItemKind {
  TASK_OVERDUE = 'TASK_OVERDUE',
  TASK_DUE_TODAY = 'TASK_DUE_TODAY',
  CHECK_IN_DUE = 'CHECK_IN_DUE',
}
registerEnumType(WorkItemKind, {
  name: 'WorkItemKind',
  description: 'Why an item needs you now. Later modules add SOP acknowledgements and approvals.',
});

export const WorkSubject = createUnionType({
  name: 'WorkSubject',
  description: 'What a work item is about.',
  types: () => [Task, KeyResult] as const,
  resolveType: (value) => (value instanceof Task ? Task : KeyResult),
});

@ObjectType({ description: 'Something that needs the caller now.' })
export class WorkItem {
  @Field(() => WorkItemKind) kind: WorkItemKind;
  @Field({ description: 'Why, in words, e.g. "overdue since 2026-05-10".' }) reason: string;
  @Field(() => DateScalar, { nullable: true, description: 'When it is (or was) due.' }) dueOn: string | null;
  @Field(() => WorkSubject) subject: Task | KeyResult;
}

import { Field, ID, ObjectType } from 'type-graphql';
import { Connection } from '../../common/connection';
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

@ObjectType()
export class DeleteTaskPayload {
  @Field(() => ID, { description: 'Global id of the Task that was deleted.' }) deletedTaskId: string;
}

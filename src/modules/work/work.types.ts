import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../common/connection';
import { Node } from '../../common/node';
import { DateScalar } from '../../common/scalars';
import { WorkItemKind, WorkItemKindDescriptions } from './work.registry';

registerEnumType(WorkItemKind, {
  name: 'WorkItemKind',
  description:
    'Why an item needs you now. Each module contributes its kinds; items are ordered by due day, then rank (lower first), then id.',
  valuesConfig: WorkItemKindDescriptions,
});

@ObjectType({ description: 'Something that needs the caller now.' })
export class WorkItem {
  @Field(() => WorkItemKind) kind: string;
  @Field({ description: 'Why, in words, e.g. "overdue since 2026-05-10".' }) reason: string;
  @Field(() => DateScalar, { nullable: true, description: 'When it is (or was) due.' }) dueOn: string | null;
  @Field(() => Node, { description: 'What the item is about (a Task, a KeyResult...): select its fields with `... on Task { … }`.' })
  subject: Node;
}

export const WorkItemConnection = Connection(WorkItem);

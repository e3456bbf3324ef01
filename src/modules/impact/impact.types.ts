import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../common/node';

/** How a node of an impact lineage is linked to the node it was reached from (`via`): read "via —relation→ node". */
export enum ImpactRelation {
  TASK_KEY_RESULT = 'TASK_KEY_RESULT',
  OBJECTIVE_OF = 'OBJECTIVE_OF',
  ALIGNS_TO = 'ALIGNS_TO',
  FOLLOWS_KPI = 'FOLLOWS_KPI',
  FOLLOWED_BY = 'FOLLOWED_BY',
  FUNDED_BY = 'FUNDED_BY',
  SERVED_BY_CAMPAIGN = 'SERVED_BY_CAMPAIGN',
  SERVES_KPI = 'SERVES_KPI',
  PARENT_KPI = 'PARENT_KPI',
  CHILD_KPI = 'CHILD_KPI',
}

registerEnumType(ImpactRelation, {
  name: 'ImpactRelation',
  description: 'How an ImpactNode is linked to the node it was reached from (its `via`), read "via → relation → node".',
  valuesConfig: {
    TASK_KEY_RESULT: { description: 'node is the KeyResult the Task `via` works toward.' },
    OBJECTIVE_OF: { description: 'node is the Objective the KeyResult `via` belongs to.' },
    ALIGNS_TO: { description: 'node is the Objective the Objective `via` aligns to (its parent), up the alignment chain.' },
    FOLLOWS_KPI: { description: 'node is the Kpi the KeyResult `via` follows.' },
    FOLLOWED_BY: { description: 'node is a KeyResult following the Kpi `via`.' },
    FUNDED_BY: { description: 'node is a BudgetLine meant to move the Kpi `via`, or the budget line of the Campaign `via`.' },
    SERVED_BY_CAMPAIGN: { description: 'node is a Campaign with a target on the Kpi `via`.' },
    SERVES_KPI: { description: 'node is a Kpi the BudgetLine or Campaign `via` is meant to move.' },
    PARENT_KPI: { description: 'node is the parent of the Kpi `via` in the KPI tree.' },
    CHILD_KPI: { description: 'node is a child of the Kpi `via` in the KPI tree.' },
  },
});

@ObjectType({ description: 'One node of an impact lineage, with the edge it was reached by.' })
export class ImpactNode {
  @Field(() => Node, { description: 'The object (Task, KeyResult, Objective, Kpi, BudgetLine or Campaign).' })
  node: Node;

  @Field(() => ImpactRelation, { description: 'The edge from `via` to this node.' })
  relation: ImpactRelation;

  @Field(() => Int, { description: 'Edges from the subject: 1 for its direct neighbours.' })
  depth: number;

  @Field(() => ID, { description: 'Global id of the node this one was reached from: the subject, or another node of the list (always listed before it).' })
  via: string;
}

@ObjectType({ description: 'Why an object matters: what it serves up the plan and what depends on it, as a graph a front end can draw.' })
export class Impact {
  @Field(() => Node, { description: 'The object the walk started from.' })
  subject: Node;

  @Field(() => [ImpactNode], { description: 'Every object reached, each once (by its shortest walk), nearest first, at most 200.' })
  nodes: ImpactNode[];

  @Field({ description: 'True when the walk stopped early: more than 200 nodes, or an alignment chain deeper than 50 levels.' })
  truncated: boolean;
}

import { ok } from '../../../support/test-app';
import { registerTenancy } from '../registry';

/** Tasks: one assigned to the squad's lead, serving A's key result, and one of A's squad. */
registerTenancy(
  async (app, org, ids) => {
    const task = ok(
      await app.gql(`mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`, { i: { title: 'A 任务', assigneeId: ids.squadLead, keyResultId: ids.keyResult, dueOn: '2026-05-01' } }, org),
    ).createTask.task.id;
    const squadTask = ok(
      await app.gql(`mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`, { i: { title: 'A 小组任务', assigneeId: ids.squadLead, squadId: ids.squad } }, org),
    ).createTask.task.id;
    return { task, squadTask };
  },
  {
    'Query.myTasks': { operation: () => ({ query: `{ myTasks(first: 100) { nodes { id title } } }` }), expect: 'ANY' },
    'Mutation.createTask': {
      operation: (a) => ({
        query: `mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`,
        variables: { i: { title: 'B', keyResultId: a.ids.keyResult } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateTask': {
      operation: (a) => ({
        query: `mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id title } } }`,
        variables: { i: { id: a.ids.task, title: 'B', expectedVersion: 1 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.setTaskStatus': {
      operation: (a) => ({ query: `mutation($i: SetTaskStatusInput!) { setTaskStatus(input: $i) { task { id } } }`, variables: { i: { id: a.ids.task, status: 'DONE' } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.deleteTask': {
      operation: (a) => ({ query: `mutation($i: DeleteTaskInput!) { deleteTask(input: $i) { deletedTaskId } }`, variables: { i: { id: a.ids.task } } }),
      expect: 'NOT_FOUND',
    },
    'Subscription.taskAssigned': {
      operation: () => ({ query: `subscription { taskAssigned { id title } }` }),
      expect: 'ANY',
      trigger: async (app, a) => {
        ok(await app.gql(`mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`, { i: { title: 'A 新任务', assigneeId: a.ids.squadLead, squadId: a.ids.squad } }, a.org));
      },
    },
    'Subscription.taskChanged': {
      operation: () => ({ query: `subscription { taskChanged { id title } }` }),
      expect: 'ANY',
      trigger: async (app, a) => {
        ok(await app.gql(`mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }`, { i: { title: 'A 看板任务', assigneeId: a.ids.squadLead, squadId: a.ids.squad } }, a.org));
      },
    },
  },
  {
    'Squad.tasks': { parent: 'squad', children: { table: 'tasks', set: { squad_id: 'squad' } } },
  },
);

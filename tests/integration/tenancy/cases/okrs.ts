import { ok, type TestApp } from '../../../support/test-app';
import { registerTenancy, type TenantA } from '../registry';

async function checkInAsA(app: TestApp, a: TenantA): Promise<void> {
  const kr = ok(await app.gql(`query($id: ID!) { node(id: $id) { ... on KeyResult { version } } }`, { id: a.ids.keyResult }, a.org)).node;
  ok(
    await app.gql(
      `mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { checkIn { id } } }`,
      { i: { keyResultId: a.ids.keyResult, value: '1200', confidence: 0.6, expectedVersion: kr.version } },
      a.org,
    ),
  );
}

/** OKRs: a cycle, an objective of A's squad with a child objective, a key result owned by the squad's lead, a check-in. */
registerTenancy(
  async (app, org, ids) => {
    const cycle = ok(
      await app.gql(`mutation($i: CreateCycleInput!) { createCycle(input: $i) { cycle { id } } }`, { i: { name: 'A-2026-Q2', startsOn: '2026-04-01', endsOn: '2026-06-30' } }, org),
    ).createCycle.cycle.id;
    const objective = ok(
      await app.gql(`mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id } } }`, { i: { cycleId: cycle, title: 'A 目标', squadId: ids.squad } }, org),
    ).createObjective.objective.id;
    const childObjective = ok(
      await app.gql(`mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id } } }`, { i: { cycleId: cycle, title: 'A 子目标', parentId: objective } }, org),
    ).createObjective.objective.id;
    const keyResult = ok(
      await app.gql(`mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id } } }`, {
        i: { objectiveId: objective, title: 'A 关键结果', kind: 'INCREASE_TO', startValue: '1000', targetValue: '1300', ownerId: ids.squadLead },
      }, org),
    ).createKeyResult.keyResult.id;
    const checkIn = ok(
      await app.gql(`mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { checkIn { id } } }`, {
        i: { keyResultId: keyResult, value: '1100', confidence: 0.7, note: 'A 的备注', expectedVersion: 1 },
      }, org),
    ).checkInKeyResult.checkIn.id;
    return { cycle, objective, childObjective, keyResult, checkIn };
  },
  {
    'Query.cycles': { operation: () => ({ query: `{ cycles(first: 100) { nodes { id name } } }` }), expect: 'ANY' },
    'Query.objectives': {
      operation: (a) => ({
        query: `query($f: ObjectivesFilter) { objectives(filter: $f, first: 100) { totalCount nodes { id title } } }`,
        variables: { f: { cycleId: a.ids.cycle, squadId: a.ids.squad } },
      }),
      expect: 'ANY',
    },
    'Query.objective': { operation: (a) => ({ query: `query($id: ID!) { objective(id: $id) { id title } }`, variables: { id: a.ids.objective } }), expect: 'NOT_FOUND' },
    'Mutation.createCycle': {
      operation: () => ({
        query: `mutation($i: CreateCycleInput!) { createCycle(input: $i) { cycle { id name } } }`,
        variables: { i: { name: `B-${Math.random().toString(36).slice(2)}`, startsOn: '2026-01-01', endsOn: '2026-03-31' } },
      }),
      expect: 'ANY',
    },
    'Mutation.closeCycle': {
      operation: (a) => ({ query: `mutation($i: CloseCycleInput!) { closeCycle(input: $i) { cycle { id } } }`, variables: { i: { cycleId: a.ids.cycle } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.createObjective': {
      operation: (a) => ({
        query: `mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id } } }`,
        variables: { i: { cycleId: a.ids.cycle, title: 'B' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateObjective': {
      operation: (a) => ({
        query: `mutation($i: UpdateObjectiveInput!) { updateObjective(input: $i) { objective { id title } } }`,
        variables: { i: { id: a.ids.objective, title: 'B', expectedVersion: 1 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.createKeyResult': {
      operation: (a) => ({
        query: `mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id } } }`,
        variables: { i: { objectiveId: a.ids.objective, title: 'B', kind: 'MILESTONE' } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateKeyResult': {
      operation: (a) => ({
        query: `mutation($i: UpdateKeyResultInput!) { updateKeyResult(input: $i) { keyResult { id title } } }`,
        variables: { i: { id: a.ids.keyResult, title: 'B', expectedVersion: 2 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.checkInKeyResult': {
      operation: (a) => ({
        query: `mutation($i: CheckInKeyResultInput!) { checkInKeyResult(input: $i) { keyResult { id currentValue } } }`,
        variables: { i: { keyResultId: a.ids.keyResult, value: '1', confidence: 0.1, expectedVersion: 2 } },
      }),
      expect: 'NOT_FOUND',
    },
    'Mutation.updateCycle': {
      operation: (a) => ({ query: `mutation($i: UpdateCycleInput!) { updateCycle(input: $i) { cycle { id } } }`, variables: { i: { id: a.ids.cycle, expectedVersion: 1, name: 'B' } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.archiveObjective': {
      operation: (a) => ({ query: `mutation($i: ArchiveObjectiveInput!) { archiveObjective(input: $i) { objective { id } } }`, variables: { i: { id: a.ids.objective, expectedVersion: 1 } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.archiveKeyResult': {
      operation: (a) => ({ query: `mutation($i: ArchiveKeyResultInput!) { archiveKeyResult(input: $i) { keyResult { id } } }`, variables: { i: { id: a.ids.keyResult, expectedVersion: 2 } } }),
      expect: 'NOT_FOUND',
    },
    'Mutation.deleteKeyResult': {
      operation: (a) => ({ query: `mutation($i: DeleteKeyResultInput!) { deleteKeyResult(input: $i) { deletedKeyResultId } }`, variables: { i: { id: a.ids.keyResult, expectedVersion: 2 } } }),
      expect: 'NOT_FOUND',
    },
    'Subscription.keyResultCheckedIn': {
      operation: () => ({ query: `subscription { keyResultCheckedIn { checkIn { id note } keyResult { id title } } }` }),
      expect: 'ANY',
      trigger: checkInAsA,
    },
    'Subscription.objectiveProgressChanged': {
      operation: () => ({ query: `subscription { objectiveProgressChanged { id title progress } }` }),
      expect: 'ANY',
      trigger: checkInAsA,
    },
  },
  {
    'Cycle.objectives': { parent: 'cycle', children: { table: 'objectives', set: { cycle_id: 'cycle' } } },
    'Squad.objectives': { parent: 'squad', children: { table: 'objectives', set: { squad_id: 'squad' } } },
    'Objective.children': { parent: 'objective', children: { table: 'objectives', set: { parent_id: 'objective' } } },
    'Objective.keyResults': { parent: 'objective', children: { table: 'key_results', set: { objective_id: 'objective' } } },
    'KeyResult.checkIns': { parent: 'keyResult', children: { table: 'check_ins', set: { key_result_id: 'keyResult' } } },
    // History as of each bucket end: A's key results or check-ins moved under B's objects change nothing B reads.
    'Objective.progressHistory': {
      parent: 'objective',
      children: { table: 'key_results', set: { objective_id: 'objective' } },
      args: '(grain: MONTH, from: "2020-01-01", to: "2030-12-31")',
    },
    'KeyResult.progressHistory': {
      parent: 'keyResult',
      children: { table: 'check_ins', set: { key_result_id: 'keyResult' } },
      args: '(grain: MONTH, from: "2020-01-01", to: "2030-12-31")',
    },
  },
);

import { ok, type Caller, type TestApp } from './test-app';

/** GraphQL helpers that build squads, OKRs and tasks through the API (each test builds its own data). */

export async function createSquad(app: TestApp, as: Caller, leadId: string, name = '创作者增长小组'): Promise<string> {
  return ok(
    await app.gql(`mutation($i: CreateSquadInput!) { createSquad(input: $i) { squad { id } } }`, { i: { name, mission: '让创作更简单', leadId } }, as),
  ).createSquad.squad.id;
}

export async function createCycle(
  app: TestApp,
  as: Caller,
  opts: { name?: string; startsOn?: string; endsOn?: string } = {},
): Promise<string> {
  const year = new Date().getUTCFullYear();
  const i = {
    name: opts.name ?? `${year}-C${Math.random().toString(36).slice(2, 8)}`,
    startsOn: opts.startsOn ?? `${year - 1}-01-01`,
    endsOn: opts.endsOn ?? `${year + 1}-12-31`,
  };
  return ok(await app.gql(`mutation($i: CreateCycleInput!) { createCycle(input: $i) { cycle { id } } }`, { i }, as)).createCycle.cycle.id;
}

export async function createObjective(app: TestApp, as: Caller, input: Record<string, unknown>): Promise<{ id: string; version: number }> {
  return ok(
    await app.gql(`mutation($i: CreateObjectiveInput!) { createObjective(input: $i) { objective { id version } } }`, {
      i: { title: '提升用户创作活跃度', ...input },
    }, as),
  ).createObjective.objective;
}

export async function createKeyResult(
  app: TestApp,
  as: Caller,
  input: Record<string, unknown>,
): Promise<{ id: string; version: number }> {
  return ok(
    await app.gql(`mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id version } } }`, {
      i: { title: '日均发布内容量提升30%', kind: 'INCREASE_TO', startValue: '1000', targetValue: '1300', unit: '篇/天', ...input },
    }, as),
  ).createKeyResult.keyResult;
}

export const CHECK_IN = /* GraphQL */ `
  mutation CheckIn($i: CheckInKeyResultInput!) {
    checkInKeyResult(input: $i) {
      checkIn { id value confidence note author { id } createdAt }
      keyResult { id currentValue confidence progress status version }
    }
  }
`;

export function checkIn(app: TestApp, as: Caller, keyResultId: string, expectedVersion: number, value: string, confidence = 0.8, note?: string) {
  return app.gql(CHECK_IN, { i: { keyResultId, value, confidence, note, expectedVersion } }, as);
}

export async function createTask(app: TestApp, as: Caller, input: Record<string, unknown>): Promise<{ id: string; version: number }> {
  return ok(
    await app.gql(`mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id version } } }`, { i: { title: '整理创作者激励名单', ...input } }, as),
  ).createTask.task;
}

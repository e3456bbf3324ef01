import { addBudgetLine, createBudget, recordExpense } from '../../support/budgets';
import { createOrg, type TestOrg } from '../../support/factories';
import { ok, startTestApp, type TestApp } from '../../support/test-app';

/**
 * Budget.status over HTTP at its margins: OVER when spent > planned; AT_RISK when burn is more
 * than 10 points ahead of the elapsed share; UNDER when more than 25 points behind; ON_TRACK
 * otherwise, exactly at a margin included.
 */
let app: TestApp;
let org: TestOrg;
beforeAll(async () => {
  app = await startTestApp();
  org = await createOrg(app);
});
afterAll(() => app.stop());

const READ = `query($id: ID!) { node(id: $id) { ... on Budget { status planned spent expectedBurn } } }`;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** A budget over the period with one line planned `planned` and one expense of `spent` (none for 0). */
async function budget(periodStart: string, periodEnd: string, planned: string, spent: string) {
  const { id } = await createBudget(app, org, { periodStart, periodEnd, name: `预算 ${periodStart} ${spent}` });
  const line = await addBudgetLine(app, org, { budgetId: id, planned });
  if (spent !== '0') ok(await recordExpense(app, org, { budgetLineId: line.id, amount: spent, incurredOn: periodStart }));
  return ok(await app.gql(READ, { id }, org)).node;
}

describe('budget status', () => {
  // A period that has ended: 100 % of it has elapsed.
  it.each([
    ['1000', 'ON_TRACK'],
    ['1000.01', 'OVER'],
    ['750', 'ON_TRACK'], // exactly 25 points behind
    ['749.99', 'UNDER'],
    ['0', 'UNDER'],
  ])('after the period, %s spent of 1000 is %s', async (spent, status) => {
    const b = await budget('2025-01-01', '2025-01-31', '1000', spent);
    expect(b).toMatchObject({ expectedBurn: '1', status });
  });

  // A period that has not started: 0 % of it has elapsed.
  it.each([
    ['0', 'ON_TRACK'],
    ['100', 'ON_TRACK'], // exactly 10 points ahead
    ['100.01', 'AT_RISK'],
    ['1000', 'AT_RISK'],
    ['1000.01', 'OVER'],
  ])('before the period, %s spent of 1000 is %s', async (spent, status) => {
    const b = await budget('2099-01-01', '2099-01-31', '1000', spent);
    expect(b).toMatchObject({ expectedBurn: '0', status });
  });

  it.each([
    ['0', 'ON_TRACK'],
    ['0.01', 'OVER'],
  ])('with nothing planned, %s spent is %s', async (spent, status) => {
    expect(await budget('2025-01-01', '2025-01-31', '0', spent)).toMatchObject({ status });
  });

  // Half-way through a four-day period (yesterday to the day after tomorrow): 50 % elapsed. The
  // status is checked against the elapsed share the same answer gives, in case the day changes.
  it.each([
    ['600', 'ON_TRACK'], // exactly 10 points ahead of 50 %
    ['600.01', 'AT_RISK'],
    ['250', 'ON_TRACK'], // exactly 25 points behind 50 %
    ['249.99', 'UNDER'],
    ['300', 'ON_TRACK'], // 20 points behind: a margin of 25 points, not of 25 % of the elapsed share
  ])('half-way through the period, %s spent of 1000 is %s', async (spent, status) => {
    const b = await budget(day(-1), day(2), '1000', spent);
    if (b.expectedBurn === '0.5') expect(b.status).toBe(status);
    else {
      const burn = Number(spent) / 1000;
      const elapsed = Number(b.expectedBurn);
      expect(b.status).toBe(burn > 1 ? 'OVER' : burn - elapsed > 0.1 ? 'AT_RISK' : elapsed - burn > 0.25 ? 'UNDER' : 'ON_TRACK');
    }
  });
});

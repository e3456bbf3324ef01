import { createOrg, type TestOrg } from '../../support/factories';
import { checkIn, createCycle, createKeyResult, createObjective } from '../../support/planning';
import { errorCode, ok, startTestApp, type TestApp } from '../../support/test-app';

/** Decimal inputs outside the documented range are refused as BAD_USER_INPUT before any arithmetic. */
let app: TestApp;
let org: TestOrg;
let objectiveId: string;
beforeAll(async () => {
  app = await startTestApp();
  org = await createOrg(app);
  objectiveId = (await createObjective(app, org, { cycleId: await createCycle(app, org) })).id;
});
afterAll(() => app.stop());

const CREATE = `mutation($i: CreateKeyResultInput!) { createKeyResult(input: $i) { keyResult { id targetValue } } }`;
const input = (targetValue: unknown) => ({ i: { objectiveId, title: 'KR', kind: 'INCREASE_TO', startValue: '0', targetValue } });

describe('Decimal range', () => {
  it.each(['1e30000000', '1e41', '-1e-41', '1234567890123456789012345678901234567890', '1e+0000000000000000000000000041'])(
    'refuses %s naming the field, and writes nothing',
    async (value) => {
      const r = await app.gql(CREATE, input(value), org);
      expect(errorCode(r)).toBe('BAD_USER_INPUT');
      expect(r.errors![0].message).toContain('at "i.targetValue"');
      expect(r.errors![0].message).toMatch(/out of range: at most 38 significant digits and an exponent from -40 to 40/);
      expect(r.statements).toBeLessThanOrEqual(1); // authenticating the caller
    },
  );

  it('refuses a literal out of range as BAD_USER_INPUT naming the field, with its location', async () => {
    const r = await app.gql(
      `mutation($o: ID!) { createKeyResult(input: { objectiveId: $o, title: "KR", kind: INCREASE_TO, startValue: "0", targetValue: "1e30000000" }) { keyResult { id } } }`,
      { o: objectiveId },
      org,
    );
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/^targetValue: Expected value of type "Decimal!?", found "1e30000000"; Decimal "1e30000000" is out of range/);
    expect(r.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'targetValue' });
    expect((r.errors![0] as { locations?: unknown[] }).locations).toHaveLength(1);
  });

  it('accepts the edges of the range, and check-ins too', async () => {
    expect(ok(await app.gql(CREATE, input('1e+0000000000000000000000000030'), org)).createKeyResult.keyResult.targetValue).toBe(`1${'0'.repeat(30)}`);
    const kr = ok(await app.gql(CREATE, input('9.9999999999999999999999999999999999999e40'), org)).createKeyResult.keyResult;
    expect(kr.targetValue).toBe('99999999999999999999999999999999999999000');
    const small = await createKeyResult(app, org, { objectiveId, startValue: '0', targetValue: '1e-40' });
    expect(errorCode(await checkIn(app, org, small.id, small.version, '1e-41'))).toBe('BAD_USER_INPUT');
    ok(await checkIn(app, org, small.id, small.version, '2.5e-40'));
  });
});

import { DEMO } from '../../seeds/ids';
import { ok, type TestApp } from './test-app';

/**
 * The fixed days the demo-seed tests load the demo on (it is seeded relative to the day it is
 * loaded): a Monday in a quarter's last month, a quarter's last day, and a leap day in a
 * quarter's second month.
 */
export const DEMO_DAYS = ['2026-12-07', '2027-03-31', '2028-02-29'] as const;

/** Logs a demo user in with the demo password. */
export async function logInDemo(app: TestApp, email: string): Promise<{ token: string }> {
  return { token: ok(await app.gql(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email, password: DEMO.password } })).logIn.token };
}

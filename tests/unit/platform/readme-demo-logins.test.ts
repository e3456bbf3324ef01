import fs from 'node:fs';
import path from 'node:path';
import { DEMO } from '../../../seeds/ids';

/** README lists every demo login the seed creates, with its role and the demo password. */
describe('README, the demo logins', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
  const rows = new Map(
    [...readme.matchAll(/^\| `([^`]+@[^`]+)` \| [^|]+ \| ([A-Z_]+) \|/gm)].map((m) => [m[1], m[2]] as const),
  );

  it('has a row for every seeded user, with the role the seed gives', () => {
    const expected = Object.fromEntries(Object.values(DEMO.users).map((u) => [u.email, u.role]));
    expect(Object.fromEntries(rows)).toEqual(expected);
  });

  it('states the demo password', () => {
    expect(readme).toContain(`\`${DEMO.password}\``);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import '../../../src/modules/entities';
import '../../../src/modules/resolvers';
import { declaredEventTypes } from '../../../src/common/event-types';

/** docs/api.md, "Subscriptions", lists every event type of planningEvents, by the module that declares it. */
describe('docs/api.md, the event types of planningEvents', () => {
  it('lists exactly the declared types, each under its module', () => {
    const md = fs.readFileSync(path.join(__dirname, '../../../docs/api.md'), 'utf8');
    const start = md.indexOf('<!-- planning-event-types');
    expect(start).toBeGreaterThan(0);
    const block = md.slice(start, md.indexOf('\n\n', start));
    const listed = new Map<string, string>();
    for (const [, owner, types] of block.matchAll(/^- \*\*(\w+)\*\*: (.+)$/gm)) {
      for (const [, type] of types.matchAll(/`(\w+)`/g)) listed.set(type, owner);
    }
    const declared = new Map([...declaredEventTypes()].map(([type, { owner }]) => [type as string, owner]));
    expect(Object.fromEntries([...listed].sort())).toEqual(Object.fromEntries([...declared].sort()));
  });
});

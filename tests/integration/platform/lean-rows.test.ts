import 'reflect-metadata';
import { queryRows, rowShape } from '../../../src/common/rows';
import { entities } from '../../../src/modules/entities';
import { seedDemo } from '../../../seeds/demo';
import { createOrg } from '../../support/factories';
import { startTestApp, type TestApp } from '../../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

/** The read path maps raw rows itself (no entity hydration): it must give what TypeORM gives. */
describe('lean rows', () => {
  it('equal TypeORM-hydrated entities for every entity, secrets left out', async () => {
    await seedDemo(app.ds);
    const org = await createOrg(app);
    await app.gql(`mutation { createApiToken(input: { name: "看板", scopes: [READ] }) { secret } }`, {}, org);
    await app.gql(`mutation { logIn(input: { email: "nobody@example.test", password: "wrong-password" }) { token } }`);
    let compared = 0;
    for (const entity of entities as Array<new () => object>) {
      const meta = app.ds.getMetadata(entity);
      const key = (e: object) => meta.primaryColumns.map((c) => String(c.getEntityValue(e))).join('|');
      const byKey = (a: object, b: object) => key(a).localeCompare(key(b));
      const hydrated = (await app.ds.manager.find(entity)).sort(byKey);
      const shape = rowShape(app.ds, entity);
      const lean = (await queryRows(app.ds.manager, entity, `SELECT ${shape.columns('t')} FROM ${shape.table} t`, [])).sort(byKey);
      expect({ entity: entity.name, rows: lean.length }).toEqual({ entity: entity.name, rows: hydrated.length });
      if (hydrated.length) compared += 1;
      expect(lean).toStrictEqual(hydrated);
      for (const hidden of meta.columns.filter((c) => !c.isSelect)) expect(shape.columns('t')).not.toContain(`"${hidden.databaseName}"`);
    }
    expect(compared).toBeGreaterThanOrEqual(entities.length - 1);
    expect(rowShape(app.ds, entities.find((e) => e.name === 'User') as new () => object).columns('u')).not.toContain('password_hash');
  });
});

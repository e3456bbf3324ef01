import { getMetadataStorage } from 'type-graphql';
import { buildAppSchema } from '../../../src/server/schema';

/**
 * Deny by default: every root field must declare who may call it with `@Authorized(...)`
 * (PUBLIC, SIGNED_IN, any member, or roles). A field added without a rule fails here.
 */
describe('permission rules', () => {
  it('are declared on every Query, Mutation and Subscription field', async () => {
    const schema = await buildAppSchema();
    const storage = getMetadataStorage();
    const byKind = {
      Query: storage.queries,
      Mutation: storage.mutations,
      Subscription: storage.subscriptions,
    } as const;
    const missing: string[] = [];
    let checked = 0;
    for (const [kind, metas] of Object.entries(byKind)) {
      const type = kind === 'Query' ? schema.getQueryType() : kind === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      for (const field of Object.keys(type?.getFields() ?? {})) {
        checked++;
        const meta = metas.find((m) => m.schemaName === field);
        const declared =
          meta &&
          (meta.roles !== undefined ||
            storage.authorizedFields.some((a) => a.target === meta.target && a.fieldName === meta.methodName));
        if (!declared) missing.push(`${kind}.${field}`);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});

import { registerTenancy } from '../registry';

/** Impact lineage: no data of its own; B asking for the lineage of A's key result gets null, as node(id:) does. */
registerTenancy(
  null,
  {
    'Query.impact': {
      operation: (a) => ({
        query: `query($id: ID!) { impact(id: $id) { truncated subject { id } nodes { relation depth via node { id } } } }`,
        variables: { id: a.ids.keyResult },
      }),
      expect: 'NULL',
    },
  },
  {
    'Impact.nodes': {
      exempt:
        'computed by Query.impact (a root field with its own case) through the by-id loaders; tests/integration/impact/impact.test.ts points A’s rows at B’s objects and checks B’s lineage',
    },
  },
);

import { registerTenancy } from '../registry';

/** myWork: its items come from the other modules' fixtures. */
registerTenancy(null, {
  'Query.myWork': { operation: () => ({ query: `{ myWork { nodes { kind reason subject { ... on Task { id title } ... on KeyResult { id title } } } } }` }), expect: 'ANY' },
});

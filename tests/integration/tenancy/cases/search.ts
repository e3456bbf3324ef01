import { registerTenancy } from '../registry';

/** search: A's objects of every kind carry "A" in their titles (the other modules' fixtures); B finds none of them. */
registerTenancy(null, {
  'Query.search': {
    operation: () => ({
      query: `query($q: String!) { search(query: $q, first: 100) { totalCount edges { type snippet node { id ... on Objective { title } ... on KeyResult { title } ... on Kpi { name } ... on Campaign { name } ... on Sop { title } ... on Task { title } } } } }`,
      variables: { q: 'A' },
    }),
    expect: 'ANY',
  },
});

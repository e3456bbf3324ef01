import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, getVariableValues, type FragmentDefinitionNode } from 'graphql';
import type { Config } from '../config';
import type { Context } from '../common/context';
import { isoToday } from '../common/dates';
import { compilePlan } from '../common/planner';

/**
 * Planned reads: a query operation whose every field is declared plannable (the modules'
 * `*.plan.ts`) is answered by ONE SQL statement that builds the response's JSON, in Apollo's
 * `responseForOperation` hook, i.e. after the operation was parsed, validated, priced and its
 * inputs checked (didResolveOperation). Anything else (a mutation, a field not declared, a root
 * row that is not there, a value the resolvers would refuse) returns null and the resolvers run
 * as always, so an answer never depends on the planner. Subscriptions are not planned.
 *
 * READ_PLANNER=off turns it off. Under NODE_ENV=test only, the header `x-read-planner: off`
 * makes one request take the resolvers' path (tests compare the two answers).
 */
export const PLANNER_TEST_HEADER = 'x-read-planner';

export function plannedReadsPlugin(config: Config): ApolloServerPlugin<Context> {
  const honourTestHeader = config.nodeEnv === 'test';
  return {
    async requestDidStart() {
      if (!config.readPlanner) return;
      return {
        async responseForOperation(rc) {
          const { operation, contextValue: ctx, request, schema, document } = rc;
          if (operation.operation !== 'query') return null;
          if (!ctx.viewer || !ctx.organizationId || !ctx.role) return null;
          if (honourTestHeader && request.http?.headers.get(PLANNER_TEST_HEADER) === 'off') return null;
          const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {});
          if (coerced.errors) return null;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
          const plan = compilePlan({
            schema,
            operation,
            fragments,
            variables: coerced.coerced,
            organizationId: ctx.organizationId,
            role: ctx.role,
            today: isoToday(),
          });
          if (!plan) return null;
          const rows: Array<{ data: Record<string, unknown> }> = await ctx.manager.query(plan.sql, plan.params);
          const data = rows[0]?.data;
          if (!data || plan.requiredRoots.some((key) => data[key] == null)) return null;
          if (plan.post) {
            try {
              plan.post(data);
            } catch {
              // A derived field whose rule refuses the row: the resolvers give that error.
              return null;
            }
          }
          return { http: rc.response.http, body: { kind: 'single', singleResult: { data } } };
        },
      };
    },
  };
}

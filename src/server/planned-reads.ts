import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, getVariableValues, type FragmentDefinitionNode } from 'graphql';
import type { Config } from '../config';
import type { Context } from '../common/context';
import { isoToday } from '../common/dates';
import { compilePlan, type CompiledPlan } from '../common/planner';
import { queryStatement } from '../common/statements';

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

/**
 * A response's `data` already serialized by PostgreSQL: Apollo's `stringifyResult`
 * (`stringifyPlannedResult`) writes it as it is, so a planned answer is neither parsed nor
 * stringified in the server. Anything else that serializes it gets the parsed value.
 */
export class SerializedData {
  constructor(readonly json: string) {}
  toJSON(): unknown {
    return JSON.parse(this.json);
  }
}

/** Apollo's stringifyResult: compact JSON, with a planned `data` written as PostgreSQL built it. */
export function stringifyPlannedResult(result: { data?: unknown } & Record<string, unknown>): string {
  if (!(result.data instanceof SerializedData)) return JSON.stringify(result);
  const { data, ...rest } = result;
  const tail = JSON.stringify(rest);
  return tail === '{}' ? `{"data":${(data as SerializedData).json}}` : `{"data":${(data as SerializedData).json},${tail.slice(1)}`;
}

/**
 * Runs the plan through the kit's `queryStatement`: a named prepared statement (PostgreSQL parses
 * and plans each operation's shape once per connection), bounded in number per process and sent
 * unnamed under PREPARED_STATEMENTS=off, counted like every statement.
 */
async function runPlan(ctx: Context, plan: CompiledPlan): Promise<{ data: string; ok: boolean } | undefined> {
  const rows = await queryStatement<{ data: string; ok: boolean }>(ctx.manager, plan.sql, plan.params);
  return rows[0];
}

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
            viewerId: ctx.viewer.userId,
            role: ctx.role,
            today: isoToday(),
          });
          if (!plan) return null;
          let row: { data: string; ok: boolean } | undefined;
          try {
            row = await runPlan(ctx, plan);
          } catch (err) {
            // The resolvers give the request its usual error (an outage is UNAVAILABLE there).
            ctx.logger.warn({ err: String(err) }, 'planned read failed; answered through the resolvers');
            return null;
          }
          if (!row?.ok) return null;
          let data: Record<string, unknown> | SerializedData;
          if (plan.post) {
            data = JSON.parse(row.data) as Record<string, unknown>;
            try {
              plan.post(data);
            } catch {
              // A derived field whose rule refuses the row: the resolvers give that error.
              return null;
            }
          } else {
            data = new SerializedData(row.data);
          }
          return { http: rc.response.http, body: { kind: 'single', singleResult: { data: data as Record<string, unknown> } } };
        },
      };
    },
  };
}

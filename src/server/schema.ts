import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from '../common/auth';
import { decodeGlobalIdArgs } from '../common/global-ids';
import { DateTimeScalar } from '../common/scalars';
import { resolvers } from '../modules/resolvers';
import type { EventBus } from './event-bus';
import { createEventBusFromTarget } from './event-bus';

/** Builds the executable schema from the resolver classes (the single source of truth). */
export async function buildAppSchema(events?: EventBus): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [...resolvers] as unknown as [Function, ...Function[]],
    authChecker,
    authMode: 'error',
    validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    pubSub: (events ?? createEventBusFromTarget('memory', undefined)).pubSub,
  });
  return decodeGlobalIdArgs(schema);
}

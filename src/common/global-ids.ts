import {
  GraphQLInputObjectType,
  GraphQLObjectType,
  getNamedType,
  isInputObjectType,
  type GraphQLArgument,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { Extensions } from 'type-graphql';
import { badInput } from './errors';
import { decodeGlobalId, fromGlobalId } from './ids';

/**
 * Global ids are decoded at the API edge: an input field marked `@GlobalIdOf('Squad')` reaches
 * the resolver (and the service) as the squad's uuid. A malformed id, or one of another type, is
 * BAD_USER_INPUT naming the field (`squadId`, `filter.cycleId`) before the resolver runs; an id
 * of another organisation decodes fine and is then NOT_FOUND, like one that does not exist.
 * Services and modules thus pass uuids to each other and never re-encode.
 */
const KEY = 'globalIdOf';

/** For `@GlobalIdOf(ANY_TYPE)`: a global id of whatever type (the audit log's `entityId`). */
export const ANY_TYPE = '*';

/** Marks an input field (`ID` or `[ID]`) as a global id of `type` (or of any type), decoded to a uuid. */
export function GlobalIdOf(type: string) {
  return Extensions({ [KEY]: type });
}

type Decoder = (value: unknown, path: string) => unknown;

/** The uuid of a global id of any type; a malformed one is BAD_USER_INPUT naming the field. */
function anyTypeId(globalId: string, field: string): string {
  const d = decodeGlobalId(globalId);
  if (!d) throw badInput(`${field} is not a valid id`, field);
  return d.id;
}

const decodeId = (type: string): Decoder => {
  const one = (v: unknown, path: string) => (type === ANY_TYPE ? anyTypeId(String(v), path) : fromGlobalId(String(v), type, path));
  return (value, path) => (Array.isArray(value) ? value.map((v) => (v == null ? v : one(v, path))) : one(value, path));
};

/** How to decode the global ids inside values of an input type; null when it holds none. */
function inputDecoder(type: GraphQLInputType, seen: Map<GraphQLInputObjectType, Decoder | null>): Decoder | null {
  const named = getNamedType(type);
  if (!isInputObjectType(named)) return null;
  if (seen.has(named)) return seen.get(named)!;
  seen.set(named, null); // a recursive input type: its inner occurrences decode nothing more
  const fields: Array<[string, Decoder]> = [];
  for (const field of Object.values(named.getFields())) {
    const idType = field.extensions?.[KEY];
    const decoder = typeof idType === 'string' ? decodeId(idType) : inputDecoder(field.type, seen);
    if (decoder) fields.push([field.name, decoder]);
  }
  const decodeObject: Decoder | null = fields.length
    ? (value, path) => {
        // A copy: the same variable may feed several fields of one operation.
        const decodeOne = (obj: unknown) => {
          if (obj == null || typeof obj !== 'object') return obj;
          const copy = { ...(obj as Record<string, unknown>) };
          for (const [name, decode] of fields) {
            if (copy[name] != null) copy[name] = decode(copy[name], path ? `${path}.${name}` : name);
          }
          return copy;
        };
        return Array.isArray(value) ? value.map(decodeOne) : decodeOne(value);
      }
    : null;
  seen.set(named, decodeObject);
  return decodeObject;
}

/** Decodes the arguments of one field in place; null when they hold no global id. */
function argsDecoder(args: readonly GraphQLArgument[], seen: Map<GraphQLInputObjectType, Decoder | null>) {
  const plan: Array<[string, Decoder]> = [];
  for (const arg of args) {
    const decoder = inputDecoder(arg.type, seen);
    if (decoder) plan.push([arg.name, decoder]);
  }
  if (!plan.length) return null;
  return (values: Record<string, unknown>) => {
    const decoded = { ...values };
    for (const [name, decode] of plan) {
      // The mutation's one `input` argument: fields are named as in the input (`squadId`).
      if (decoded[name] != null) decoded[name] = decode(decoded[name], name === 'input' ? '' : name);
    }
    return decoded;
  };
}

/**
 * Wraps, once at start-up, the resolvers of the fields whose arguments hold marked ids (no
 * cost on any other field).
 */
export function decodeGlobalIdArgs(schema: GraphQLSchema): GraphQLSchema {
  const seen = new Map<GraphQLInputObjectType, Decoder | null>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const decode = argsDecoder(field.args, seen);
      if (!decode) continue;
      const wrap = (resolve: GraphQLFieldResolver<unknown, unknown> | undefined) =>
        resolve &&
        ((source: unknown, args: Record<string, unknown>, context: unknown, info: Parameters<GraphQLFieldResolver<unknown, unknown>>[3]) => {
          return resolve(source, decode(args), context, info);
        });
      field.resolve = wrap(field.resolve);
      field.subscribe = wrap(field.subscribe);
    }
  }
  return schema;
}

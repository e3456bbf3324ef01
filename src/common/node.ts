import { Field, ID, InterfaceType } from 'type-graphql';
import type { Context } from './context';
import { toGlobalId } from './ids';

/** Relay Node: every object a client can refetch by its opaque global id. */
@InterfaceType({ description: 'An object with an opaque global id, refetchable with `node(id:)`.' })
export abstract class Node {
  @Field(() => ID, { name: 'id', description: 'Opaque global id.' })
  get globalId(): string {
    return toGlobalId(this.constructor.name, (this as unknown as { id: string }).id);
  }
}

type NodeFetcher = (ctx: Context, ids: readonly string[]) => Promise<Array<object | null>>;

const fetchers = new Map<string, NodeFetcher>();

/**
 * Makes a type reachable through `node(id:)`/`nodes(ids:)`. The fetcher must apply the same
 * tenancy and permission rules as the type's own queries (normally: its by-id loader).
 */
export function registerNodeType(typeName: string, fetch: NodeFetcher): void {
  fetchers.set(typeName, fetch);
}

export function nodeFetcher(typeName: string): NodeFetcher | undefined {
  return fetchers.get(typeName);
}

import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from './context';
import { badInput } from './errors';
import { decodeGlobalId } from './ids';
import { Node, nodeFetcher } from './node';

const MAX_NODES = 100;

async function fetchNodes(ctx: Context, ids: readonly string[]): Promise<Array<Node | null>> {
  const decoded = ids.map((id) => decodeGlobalId(id));
  const byType = new Map<string, string[]>();
  decoded.forEach((d) => {
    if (d && nodeFetcher(d.type)) byType.set(d.type, [...(byType.get(d.type) ?? []), d.id]);
  });
  const found = new Map<string, Node>();
  await Promise.all(
    [...byType].map(async ([type, uuids]) => {
      const rows = await nodeFetcher(type)!(ctx, uuids);
      rows.forEach((row, i) => {
        if (row) found.set(`${type}:${uuids[i]}`, row as Node);
      });
    }),
  );
  return decoded.map((d) => (d ? (found.get(`${d.type}:${d.id}`) ?? null) : null));
}

@Resolver()
export class NodeResolver {
  @Authorized()
  @Query(() => Node, {
    nullable: true,
    description: 'Refetches any object by its global id; null when it does not exist or is not visible to you.',
  })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Node | null> {
    return (await fetchNodes(ctx, [id]))[0];
  }

  @Authorized()
  @Query(() => [Node], { nullable: 'items', description: `Refetches up to ${MAX_NODES} objects by global id, in order.` })
  async nodes(@Arg('ids', () => [ID]) ids: string[], @Ctx() ctx: Context): Promise<Array<Node | null>> {
    if (ids.length > MAX_NODES) throw badInput(`ids may hold at most ${MAX_NODES} ids`, 'ids');
    return fetchNodes(ctx, ids);
  }
}

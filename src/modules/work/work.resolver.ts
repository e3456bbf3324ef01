import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { ConnectionArgs } from '../../common/connection';
import type { Context } from '../../common/context';
import { WorkItem, WorkItemConnection } from './work.types';
import { DEFAULT_WORK_ITEMS, myWork } from './work.service';

@Resolver(() => WorkItem)
export class WorkResolver {
  @Authorized()
  @Query(() => WorkItemConnection, {
    description: `What needs the caller now, from every module (tasks due today or overdue, key results they own with no check-in for 7 days, …): most overdue first. ${DEFAULT_WORK_ITEMS} items unless \`first\` says otherwise; pages forward.`,
  })
  myWork(@Args() page: ConnectionArgs, @Ctx() ctx: Context) {
    return myWork(ctx, page);
  }
}

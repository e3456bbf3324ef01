import { In } from 'typeorm';
import { byKeys, defineLoader } from '../../common/loaders';
import { Task } from './task.entity';

export const taskById = defineLoader<string, Task>('tasks.taskById', async (ctx, ids) => {
  if (!ctx.organizationId) return ids.map(() => null);
  const rows = await ctx.manager.find(Task, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (t) => t.id);
});

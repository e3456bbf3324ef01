import { isAdmin } from '../../common/auth';
import { In } from 'typeorm';
import { byKeys, defineLoader, nullOnError } from '../../common/loaders';
import { registerNodeType } from '../../common/node';
import { AuditEvent } from './audit-event.entity';
import { AuditResolver } from './audit.resolver';

export { AuditEvent } from './audit-event.entity';
export { recordChange, type Change } from './audit.service';
export { createRecorded, deleteRecorded, updateRecorded, type WriteChange } from './changes';

/** Audit events are visible to OWNER/ADMIN only, as in `auditEvents`. */
const auditEventById = defineLoader<string, AuditEvent>('audit.eventById', async (ctx, ids) => {
  if (!ctx.organizationId || !isAdmin(ctx)) return ids.map(() => null);
  const rows = await ctx.manager.find(AuditEvent, { where: { id: In([...ids]), organizationId: ctx.organizationId } });
  return byKeys(ids, rows, (e) => e.id);
});
registerNodeType('AuditEvent', (ctx, ids) => auditEventById(ctx).loadMany(ids).then(nullOnError));
export const auditEntities = [AuditEvent];
export const auditResolvers = [AuditResolver] as const;

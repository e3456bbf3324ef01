import { isAdmin } from '../../common/auth';
import { defineByIdLoader } from '../../common/loaders';
import { AuditEvent } from './audit-event.entity';
import { AuditResolver } from './audit.resolver';

export { AuditEvent } from './audit-event.entity';
export { recordChange, recordChangeSql, type Change } from './audit.service';
export { auditIdKeys } from './audit-ids';
export { createRecorded, deleteRecorded, updateRecorded, updateWhere } from './changes';

/** Audit events are visible to OWNER/ADMIN only, as in `auditEvents`; registers AuditEvent for node(id:). */
defineByIdLoader(AuditEvent, 'AuditEvent', { visible: isAdmin });
export const auditEntities = [AuditEvent];
export const auditResolvers = [AuditResolver] as const;

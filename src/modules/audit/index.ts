import { AuditEvent } from './audit-event.entity';
import { AuditResolver } from './audit.resolver';

export { recordAudit } from './audit.service';
export const auditEntities = [AuditEvent];
export const auditResolvers = [AuditResolver] as const;

import { auditEntities } from './audit';
import { identityEntities } from './identity';

/** Every TypeORM entity of every module. */
export const entities = [...identityEntities, ...auditEntities];

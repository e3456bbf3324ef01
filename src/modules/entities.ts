import { auditEntities } from './audit';
import { identityEntities } from './identity';
import { okrsEntities } from './okrs';
import { squadsEntities } from './squads';
import { tasksEntities } from './tasks';
import { sopsEntities } from './sops';

/** Every TypeORM entity of every module. */
export const entities = [...identityEntities, ...auditEntities, ...squadsEntities, ...okrsEntities, ...tasksEntities, ...sopsEntities];

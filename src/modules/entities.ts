import './composition';
import { auditEntities } from './audit';
import { budgetsEntities } from './budgets';
import { campaignsEntities } from './campaigns';
import { identityEntities } from './identity';
import { kpisEntities } from './kpis';
import { okrsEntities } from './okrs';
import { squadsEntities } from './squads';
import { tasksEntities } from './tasks';
import { sopsEntities } from './sops';

/** Every TypeORM entity of every module. */
export const entities = [
  ...identityEntities,
  ...auditEntities,
  ...squadsEntities,
  ...okrsEntities,
  ...tasksEntities,
  ...kpisEntities,
  ...budgetsEntities,
  ...campaignsEntities,
  ...sopsEntities,
];

/**
 * The one place the tenancy matrix's cases are registered: one file per module in cases/, in
 * the order their fixtures build on each other (a module's fixture sees the ids of those before).
 * A new module adds its file and one import here.
 */
import './cases/identity';
import './cases/identity-accounts';
import './cases/squads';
import './cases/okrs';
import './cases/tasks';
import './cases/sops';
import './cases/work';
import './cases/kpis';
import './cases/budgets';
import './cases/campaigns';
import './cases/overviews';
import './cases/impact';
import './cases/search';

export { registerTenancy, tenancy, type Fixture, type NestedCase, type RootFieldCase, type TenantA } from './registry';

import { Identity1764201600000 } from './1764201600000-Identity';
import { AccessAndAudit1764201700000 } from './1764201700000-AccessAndAudit';
import { EventPayloads1764201800000 } from './1764201800000-EventPayloads';
import { SquadsOkrsTasks1764201900000 } from './1764201900000-SquadsOkrsTasks';
import { AccountSafety1764300000000 } from './1764300000000-AccountSafety';
import { IdempotencyKeys1764300100000 } from './1764300100000-IdempotencyKeys';
import { ReadPathIndexes1764300200000 } from './1764300200000-ReadPathIndexes';
import { SquadsLifeCycle1764300400000 } from './1764300400000-SquadsLifeCycle';
import { OkrsLifeCycle1764300410000 } from './1764300410000-OkrsLifeCycle';
import { StoredOkrProgress1764300420000 } from './1764300420000-StoredOkrProgress';
import { Kpis1764400000000 } from './1764400000000-Kpis';
import { Budgets1764400100000 } from './1764400100000-Budgets';
import { BudgetAdjustments1764400110000 } from './1764400110000-BudgetAdjustments';
import { Campaigns1764400200000 } from './1764400200000-Campaigns';
import { RaciAndSops1764400300000 } from './1764400300000-RaciAndSops';
import { SopVersionEditors1764400310000 } from './1764400310000-SopVersionEditors';
import { IdentityAccounts1764516000000 } from './1764516000000-IdentityAccounts';
import { CampaignExpenses1764600200000 } from './1764600200000-CampaignExpenses';
import { KpisGrain1764700000000 } from './1764700000000-KpisGrain';
import { KpiAlertsResolved1764700100000 } from './1764700100000-KpiAlertsResolved';
import { Search1764820000000 } from './1764820000000-Search';
import { SearchBigrams1764850000000 } from './1764850000000-SearchBigrams';
import { ExpenseReference1764860000000 } from './1764860000000-ExpenseReference';
import { BudgetPeriodClose1764870000000 } from './1764870000000-BudgetPeriodClose';
import { BudgetCorrections1764871000000 } from './1764871000000-BudgetCorrections';
import { BudgetDailySpend1764872000000 } from './1764872000000-BudgetDailySpend';

/** Every migration, oldest first. Add new ones at the end; never edit one that has shipped. */
export const migrations = [
  Identity1764201600000,
  AccessAndAudit1764201700000,
  EventPayloads1764201800000,
  SquadsOkrsTasks1764201900000,
  AccountSafety1764300000000,
  IdempotencyKeys1764300100000,
  ReadPathIndexes1764300200000,
  SquadsLifeCycle1764300400000,
  OkrsLifeCycle1764300410000,
  StoredOkrProgress1764300420000,
  Kpis1764400000000,
  Budgets1764400100000,
  BudgetAdjustments1764400110000,
  Campaigns1764400200000,
  RaciAndSops1764400300000,
  SopVersionEditors1764400310000,
  IdentityAccounts1764516000000,
  CampaignExpenses1764600200000,
  KpisGrain1764700000000,
  KpiAlertsResolved1764700100000,
  Search1764820000000,
  SearchBigrams1764850000000,
  ExpenseReference1764860000000,
  BudgetPeriodClose1764870000000,
  BudgetCorrections1764871000000,
  BudgetDailySpend1764872000000,
];

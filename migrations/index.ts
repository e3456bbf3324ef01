import { Identity1764201600000 } from './1764201600000-Identity';
import { AccessAndAudit1764201700000 } from './1764201700000-AccessAndAudit';
import { EventPayloads1764201800000 } from './1764201800000-EventPayloads';
import { SquadsOkrsTasks1764201900000 } from './1764201900000-SquadsOkrsTasks';
import { StoredOkrProgress1764300300000 } from './1764300300000-StoredOkrProgress';

/** Every migration, oldest first. Add new ones at the end; never edit one that has shipped. */
export const migrations = [
  Identity1764201600000,
  AccessAndAudit1764201700000,
  EventPayloads1764201800000,
  SquadsOkrsTasks1764201900000,
  StoredOkrProgress1764300300000,
];

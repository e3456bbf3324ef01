import { Role, type Context } from './context';
import { forbidden } from './errors';

/*
 * Who may do what, beyond the `@Authorized(...)` of each root field: the named role sets every
 * module uses (`@Authorized(...MANAGERS)`), and the one rule "OWNER/ADMIN (or the finance desk),
 * or the lead of the subject's squad (or its owner, its assignee)". Squads belong to the squads
 * module, which registers how to find a squad's lead (`registerSquadLeadLookup`): common imports
 * no module.
 */

/** A list of roles, as `@Authorized(...set)` and `hasRole` take it. */
export type RoleSet = readonly Role[];

/** OWNER and ADMIN administer the organisation and manage everything in it. */
export const ADMINS = [Role.OWNER, Role.ADMIN] as const;
/** Every role that may change something (all but VIEWER); a MEMBER often only what they own. */
export const WRITERS = [Role.OWNER, Role.ADMIN, Role.FINANCE, Role.SQUAD_LEAD, Role.MEMBER] as const;
/** Who run squads' work: OWNER/ADMIN everywhere, a SQUAD_LEAD in the squads they lead (`canManage`). */
export const MANAGERS = [Role.OWNER, Role.ADMIN, Role.SQUAD_LEAD] as const;
/** The finance desk: OWNER and FINANCE (not ADMIN) manage budgets and decide adjustments. */
export const FINANCE_DESK = [Role.OWNER, Role.FINANCE] as const;
/** The OWNER alone: what undoes the finance desk's work (reopening a closed budget period). */
export const OWNER_ONLY = [Role.OWNER] as const;
/** The finance desk and squad leads (a lead on the budgets of the squads they lead). */
export const FINANCE_DESK_AND_LEADS = [Role.OWNER, Role.FINANCE, Role.SQUAD_LEAD] as const;
/** OWNER/ADMIN and FINANCE (e.g. campaign returns). */
export const ADMINS_AND_FINANCE = [Role.OWNER, Role.ADMIN, Role.FINANCE] as const;
/** OWNER/ADMIN, FINANCE and squad leads (e.g. campaign transitions, each with its own rule). */
export const MANAGERS_AND_FINANCE = [Role.OWNER, Role.ADMIN, Role.FINANCE, Role.SQUAD_LEAD] as const;

/** The named role sets, for code that picks one by name. */
export const ROLE_SETS = {
  ADMINS,
  WRITERS,
  MANAGERS,
  FINANCE_DESK,
  FINANCE_DESK_AND_LEADS,
  ADMINS_AND_FINANCE,
  MANAGERS_AND_FINANCE,
  OWNER_ONLY,
} as const satisfies Record<string, RoleSet>;

/** Whether the caller has one of `roles` in the organisation the request acts in. */
export function hasRole(ctx: Pick<Context, 'role'>, roles: RoleSet): boolean {
  return ctx.role != null && roles.includes(ctx.role);
}

/** Whether the caller administers the organisation (OWNER or ADMIN). */
export const isAdmin = (ctx: Pick<Context, 'role'>) => hasRole(ctx, ADMINS);

/** "OWNER/ADMIN": a role set as messages name it. */
export const rolesText = (roles: RoleSet) => roles.join('/');

/** Throws FORBIDDEN ("Only OWNER/ADMIN may <action>; you are MEMBER") unless the caller has one of `roles`. */
export function requireRole(ctx: Pick<Context, 'role'>, roles: RoleSet, action: string): void {
  if (!hasRole(ctx, roles)) throw forbidden(`Only ${rolesText(roles)} may ${action}; you are ${ctx.role ?? 'not a member'}`);
}

/** Whether the caller leads `squad`: a SQUAD_LEAD manages only the squads they lead. */
export function leadsSquad(ctx: Pick<Context, 'role' | 'viewer'>, squad: { leadId: string } | null | undefined): boolean {
  return Boolean(squad && ctx.role === Role.SQUAD_LEAD && ctx.viewer && squad.leadId === ctx.viewer.userId);
}

/** How to find a squad of the organisation (its lead): null when there is none. Batched by the squads module's loader. */
export type SquadLeadLookup = (ctx: Context, squadId: string) => Promise<{ leadId: string } | null>;

let squadLeadLookup: SquadLeadLookup | null = null;

/** Called once by the module that owns squads. */
export function registerSquadLeadLookup(lookup: SquadLeadLookup): void {
  if (squadLeadLookup && squadLeadLookup !== lookup) throw new Error('The squad lead lookup is already registered');
  squadLeadLookup = lookup;
}

/** Something managed by the OWNER/ADMIN (or the finance desk) and by the lead of its squad. */
export interface Managed {
  /** What it is, for messages: `campaign`, `budget`, `objective`, `squad`. */
  kind: string;
  /** Its squad, whose lead manages it; null or undefined when it has none. */
  squadId?: string | null;
  /** Its squad when already loaded (instead of `squadId`: no lookup). */
  squad?: { leadId: string } | null;
  /** Its owner, when the owner manages it too (a key result's owner). */
  ownerId?: string | null;
  /** Its assignee, when the assignee manages it too (a task). */
  assigneeId?: string | null;
}

export interface ManageOptions {
  /** The roles that manage every subject: ADMINS (the default), or FINANCE_DESK for budgets. */
  managers?: RoleSet;
}

/**
 * The one "may manage" rule: the caller has one of `managers` (OWNER/ADMIN by default), or is
 * the subject's owner or assignee (when given), or leads the subject's squad (a SQUAD_LEAD).
 */
export async function canManage(ctx: Context, subject: Managed, opts: ManageOptions = {}): Promise<boolean> {
  if (hasRole(ctx, opts.managers ?? ADMINS)) return true;
  const me = ctx.viewer?.userId;
  if (me && (subject.ownerId === me || subject.assigneeId === me)) return true;
  if (ctx.role !== Role.SQUAD_LEAD) return false;
  if (subject.squad !== undefined) return leadsSquad(ctx, subject.squad);
  if (!subject.squadId) return false;
  if (!squadLeadLookup) throw new Error('No squad lead lookup is registered (the squads module registers it)');
  return leadsSquad(ctx, await squadLeadLookup(ctx, subject.squadId));
}

/** FORBIDDEN unless `canManage`: "Only OWNER/ADMIN or the lead of the campaign's squad may <action>". */
export async function assertCanManage(ctx: Context, subject: Managed, action: string, opts: ManageOptions = {}): Promise<void> {
  if (!(await canManage(ctx, subject, opts))) throw forbidden(manageRefusal(subject, action, opts));
}

/** The message of a refused `canManage`, naming who may. */
export function manageRefusal(subject: Managed, action: string, opts: ManageOptions = {}): string {
  const who = [rolesText(opts.managers ?? ADMINS)];
  if (subject.squadId || subject.squad) who.push(subject.kind === 'squad' ? 'the squad’s lead' : `the lead of the ${subject.kind}’s squad`);
  if (subject.ownerId !== undefined) who.push(`its owner`);
  if (subject.assigneeId !== undefined) who.push(`its assignee`);
  const list = who.length > 1 ? `${who.slice(0, -1).join(', ')} or ${who[who.length - 1]}` : who[0];
  return `Only ${list} may ${action}`;
}

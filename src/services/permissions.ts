/**
 * What each role may do. Every service checks one of these before it reads or changes anything; an object of
 * another team (or an invisible personal object) answers 404 from the lookup, never 403, so only a visible object
 * can produce a 403.
 *
 * - view: runs, transcripts, artifacts, environments, schedules, and the names and metadata of secrets
 * - run: create runs (and schedules, which create runs)
 * - intervene: cancel, follow-ups, approvals
 * - admin: API keys of others, secrets, environments, integrations, members, team settings, audit log
 */
import type { Principal, Role } from '../db/api-keys';
import { AppError } from './app-error';

export type Permission = 'view' | 'run' | 'intervene' | 'admin';

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ['view'],
  member: ['view', 'run', 'intervene'],
  admin: ['view', 'run', 'intervene', 'admin'],
};

export function can(principal: Pick<Principal, 'role'>, permission: Permission): boolean {
  return GRANTS[principal.role].includes(permission);
}

const NEEDED_ROLE: Record<Permission, string> = {
  view: 'any member of the team',
  run: 'a member or admin API key',
  intervene: 'a member or admin API key',
  admin: 'an admin API key (or a team key)',
};

/**
 * Throws 403 naming the action and the role that may do it, e.g.
 * `requirePermission(p, 'intervene', 'cancel runs')` → "viewers may not cancel runs; use a member or admin API key".
 */
export function requirePermission(principal: Pick<Principal, 'role'>, permission: Permission, action: string): void {
  if (can(principal, permission)) return;
  throw new AppError('not_authorized', `${principal.role}s may not ${action}; use ${NEEDED_ROLE[permission]}`);
}

/**
 * Who sees and changes the team's config objects (rules, saved prompts, MCP servers, variable sets), scoped like
 * environments: team objects are visible to every member and changed only by admins; personal objects (scope
 * User) are visible to their owner and the team's admins and changed by their owner (or an admin). Objects of
 * another team, or invisible personal ones, answer 404.
 */
import type { Principal } from '../../db/api-keys';
import type { ConfigScope } from '../../domain';
import { AppError, notFound } from '../app-error';
import { requirePermission } from '../permissions';

export interface ScopedRow {
  id: string;
  teamId: string;
  scope: string;
  ownerUserId: string | null;
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A where clause every config table accepts (they share the scope columns). */
export function visibleConfigWhere(principal: Principal): {
  teamId: string;
  OR?: ({ scope: string } | { scope: string; ownerUserId: string })[];
} {
  if (principal.role === 'admin') return { teamId: principal.teamId };
  const own: ({ scope: string } | { scope: string; ownerUserId: string })[] = [{ scope: 'Team' }];
  if (principal.userId !== null) own.push({ scope: 'User', ownerUserId: principal.userId });
  return { teamId: principal.teamId, OR: own };
}

/** The scope a new object gets: Team unless asked; personal objects need a user key. */
export function newObjectScope(
  principal: Principal,
  requested: ConfigScope | undefined,
  kind: string,
): { scope: ConfigScope; ownerUserId: string | null; ownerKey: string } {
  const scope = requested ?? 'Team';
  assertMayWriteScope(principal, scope, 'create', kind);
  const ownerUserId = scope === 'User' ? principal.userId : null;
  return { scope, ownerUserId, ownerKey: ownerUserId ?? '' };
}

export function assertMayWriteScope(principal: Principal, scope: string, verb: string, kind: string): void {
  if (scope === 'Team') {
    requirePermission(principal, 'admin', `${verb} team ${kind}`);
    return;
  }
  requirePermission(principal, 'run', `${verb} personal ${kind}`);
  if (principal.userId === null) {
    throw new AppError(
      'invalid_request',
      `scope: "User" makes a personal ${kind.replace(/s$/, '')}, which needs a user API key; this key belongs to ` +
        'the team (send scope "Team")',
    );
  }
}

/** Changing an existing object: team objects need admin; a visible personal one is the caller's or they are admin. */
export function assertMayWriteRow(
  principal: Principal,
  row: Pick<ScopedRow, 'scope'>,
  verb: string,
  kind: string,
): void {
  if (row.scope === 'Team') {
    requirePermission(principal, 'admin', `${verb} team ${kind}`);
    return;
  }
  if (principal.role === 'admin') return;
  requirePermission(principal, 'run', `${verb} personal ${kind}`);
}

export function scopeItemOf(row: Pick<ScopedRow, 'scope' | 'ownerUserId' | 'teamId'>): {
  type: ConfigScope;
  uid?: string;
} {
  return row.scope === 'User'
    ? { type: 'User', ...(row.ownerUserId ? { uid: row.ownerUserId } : {}) }
    : { type: 'Team', uid: row.teamId };
}

/** 409 for a name already used in the scope; the official SDKs retry 409 unless told not to. */
export function nameTakenError(kind: string, name: string, scope: string, existingId?: string): AppError {
  const where = scope === 'User' ? `among your personal ${kind}` : `among the team's ${kind}`;
  return new AppError(
    'conflict',
    `name: ${JSON.stringify(name)} is already used ${where}${existingId ? ` (${existingId})` : ''}; ` +
      'choose another name, or update that one',
    { retryable: false, headers: { 'x-should-retry': 'false' } },
  );
}

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

export function isRecordNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2025';
}

export function orNotFound<T>(row: T | null, what: string, id: string): T {
  if (row === null) throw notFound(what, id);
  return row;
}

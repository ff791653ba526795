/**
 * Who sees and changes which environment. Environments are team-scoped: a key sees only its own team's. Personal
 * environments (scope User) are visible to their owner and to the team's admins; invisible ones answer 404, so their
 * ids leak nothing. Team environments are written by admins only (they decide what every team run executes in);
 * a personal environment by its owner and the team's admins. Viewers may read but not write.
 */
import type { Principal } from '../../db/api-keys';
import type { Db } from '../../db/client';
import type { EnvironmentScope } from '../../domain';
import type { Prisma } from '../../generated/prisma/client';
import { AppError, notFound } from '../app-error';
import { requirePermission } from '../permissions';

export function visibleEnvironmentsWhere(principal: Principal): Prisma.EnvironmentWhereInput {
  if (principal.role === 'admin') return { teamId: principal.teamId };
  const own: Prisma.EnvironmentWhereInput[] = [{ scope: 'Team' }];
  if (principal.userId !== null) own.push({ scope: 'User', ownerUserId: principal.userId });
  return { teamId: principal.teamId, OR: own };
}

export const ENVIRONMENT_INCLUDE = {
  createdBy: { select: { id: true, displayName: true, email: true } },
} as const satisfies Prisma.EnvironmentInclude;

export type EnvironmentWithCreator = Prisma.EnvironmentGetPayload<{ include: typeof ENVIRONMENT_INCLUDE }>;

/** The environment, or a 404 naming `field` (e.g. `config.environment_id`) when it is missing or not visible. */
export async function findVisibleEnvironment(
  db: Db,
  principal: Principal,
  environmentId: string,
  field?: string,
): Promise<EnvironmentWithCreator> {
  const environment = await db.environment.findFirst({
    where: { AND: [{ id: environmentId }, visibleEnvironmentsWhere(principal)] },
    include: ENVIRONMENT_INCLUDE,
  });
  if (environment) return environment;
  const missing = notFound('Environment', environmentId);
  if (field === undefined) throw missing;
  throw new AppError(
    'resource_not_found',
    `${field}: ${missing.detail}; list environments with GET /api/v1/environments`,
  );
}

/**
 * Whether the principal may create (`environment` is the new one's scope) or change an environment. Call it after
 * the lookup, so an invisible environment answers 404 whatever the role.
 */
export function assertMayWriteEnvironment(
  principal: Principal,
  environment: { scope: string; ownerUserId: string | null },
  verb: string,
): void {
  if (principal.role === 'viewer') {
    throw new AppError(
      'not_authorized',
      `viewers may read environments but not ${verb} them; use a member or admin API key`,
    );
  }
  const own = environment.scope === 'User' && environment.ownerUserId !== null;
  if (own && environment.ownerUserId === principal.userId) return;
  requirePermission(
    principal,
    'admin',
    `${verb} ${own ? "other people's personal" : 'team'} environments (a personal one, scope "User", is yours to manage)`,
  );
}

/** The column names are unique through: "" for the team, the owner's user id for a personal environment. */
export function ownerKeyOf(scope: EnvironmentScope, ownerUserId: string | null): string {
  return scope === 'User' ? (ownerUserId ?? '') : '';
}

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

export function isRecordNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2025';
}

/**
 * A name already taken in the scope. 409 tells the official SDKs to retry, which cannot help here, so the answer
 * says `retryable: false` and `x-should-retry: false` (which those SDKs honour).
 */
export async function nameTaken(
  db: Db,
  where: { teamId: string; scope: string; ownerKey: string; name: string },
): Promise<AppError> {
  const existing = await db.environment.findFirst({ where, select: { id: true } });
  const scope =
    where.scope === 'User' ? 'among the personal environments of its owner' : "among the team's environments";
  return new AppError(
    'conflict',
    `name: an environment named ${JSON.stringify(where.name)} already exists ${scope}` +
      `${existing ? ` (${existing.id})` : ''}; choose another name, or update that environment`,
    { retryable: false, headers: { 'x-should-retry': 'false' } },
  );
}

/** `GET /agent/environments`: the Oz-compatible listing, every visible environment in one answer (no pages). */
import type { Principal } from '../../db/api-keys';
import type { ListAgentEnvironmentsQuery, ListAgentEnvironmentsResponse } from '../../domain';
import type { Prisma } from '../../generated/prisma/client';
import type { ServiceDeps } from '../deps';
import { ENVIRONMENT_INCLUDE, visibleEnvironmentsWhere } from './environment-access';
import { toCloudEnvironment } from './environment-item';

const ORDER: Record<ListAgentEnvironmentsQuery['sort_by'], Prisma.EnvironmentOrderByWithRelationInput[]> = {
  name: [{ name: 'asc' }, { id: 'asc' }],
  last_updated: [{ updatedAt: 'desc' }, { id: 'desc' }],
};

export async function listAgentEnvironments(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; query: ListAgentEnvironmentsQuery },
): Promise<ListAgentEnvironmentsResponse> {
  const rows = await deps.db.environment.findMany({
    where: visibleEnvironmentsWhere(input.principal),
    orderBy: ORDER[input.query.sort_by],
    include: ENVIRONMENT_INCLUDE,
  });
  return { environments: rows.map(toCloudEnvironment) };
}

/** `GET /environments`: the visible environments matching the filters, keyset-paginated. */
import type { Principal } from '../../db/api-keys';
import type { ListEnvironmentsQuery, ListEnvironmentsResponse } from '../../domain';
import type { Prisma } from '../../generated/prisma/client';
import type { ServiceDeps } from '../deps';
import { ENVIRONMENT_INCLUDE, visibleEnvironmentsWhere } from './environment-access';
import { afterCursorWhere, decodeCursor, defaultOrderOf, encodeCursor, orderByFor } from './environment-cursor';
import { toEnvironmentItem } from './environment-item';

export async function listEnvironments(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; query: ListEnvironmentsQuery },
): Promise<ListEnvironmentsResponse> {
  const { query } = input;
  const order = query.sort_order ?? defaultOrderOf(query.sort_by);
  const where: Prisma.EnvironmentWhereInput[] = [visibleEnvironmentsWhere(input.principal)];
  if (query.name !== undefined) where.push({ name: query.name });
  if (query.scope !== undefined) where.push({ scope: query.scope });
  if (query.cursor !== undefined) {
    where.push(afterCursorWhere(query.sort_by, order, decodeCursor(query.cursor, query.sort_by, order)));
  }
  const rows = await deps.db.environment.findMany({
    where: { AND: where },
    orderBy: orderByFor(query.sort_by, order),
    take: query.limit + 1,
    include: ENVIRONMENT_INCLUDE,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const hasNext = rows.length > query.limit && last !== undefined;
  return {
    environments: page.map(toEnvironmentItem),
    page_info: hasNext
      ? { has_next_page: true, next_cursor: encodeCursor(query.sort_by, order, last) }
      : { has_next_page: false },
  };
}

/** `GET /agent/runs`: the visible runs matching every given filter, in a stable keyset-paginated order. */
import type { Principal } from '../db/api-keys';
import { EMPTY_ENVIRONMENT_FILTER, type ListRunsQuery, type ListRunsResponse } from '../domain';
import type { Prisma } from '../generated/prisma/client';
import type { ServiceDeps } from './deps';
import { requirePermission } from './permissions';
import { findVisibleRun, RUN_ITEM_INCLUDE, visibleRunsWhere } from './run-access';
import { afterCursorWhere, decodeCursor, encodeCursor, orderByFor } from './run-cursor';
import { toRunItem } from './run-item';

export interface ListRunsInput {
  principal: Principal;
  query: ListRunsQuery;
}

export async function filtersWhere(
  deps: Pick<ServiceDeps, 'db'>,
  principal: Principal,
  q: ListRunsQuery,
): Promise<Prisma.RunWhereInput[]> {
  const where: Prisma.RunWhereInput[] = [visibleRunsWhere(principal)];
  if (q.state && q.state.length > 0) where.push({ state: { in: q.state } });
  const name = q.name ?? q.config_name;
  if (name !== undefined) where.push({ configName: name });
  if (q.model_id !== undefined) where.push({ modelId: q.model_id });
  if (q.creator !== undefined) where.push({ creatorUserId: q.creator });
  if (q.source !== undefined) where.push({ source: q.source });
  if (q.execution_location !== undefined) where.push({ executionLocation: q.execution_location });
  if (q.environment_id !== undefined) {
    where.push({ environmentId: q.environment_id === EMPTY_ENVIRONMENT_FILTER ? null : q.environment_id });
  }
  if (q.schedule_id !== undefined) where.push({ scheduleId: q.schedule_id });
  if (q.ancestor_run_id !== undefined) {
    // The contract requires the ancestor to exist and be visible, so a typo answers 404 instead of an empty list.
    await findVisibleRun(deps.db, principal, q.ancestor_run_id);
    where.push({ ancestorRunIds: { has: q.ancestor_run_id } });
  }
  if (q.artifact_type !== undefined) where.push({ artifactTypes: { has: q.artifact_type } });
  if (q.created_after !== undefined) where.push({ createdAt: { gt: new Date(q.created_after) } });
  if (q.created_before !== undefined) where.push({ createdAt: { lt: new Date(q.created_before) } });
  if (q.updated_after !== undefined) where.push({ updatedAt: { gt: new Date(q.updated_after) } });
  if (q.q !== undefined) {
    // Prisma's `contains` is a LIKE pattern: escape its wildcards so the search text matches literally.
    const text = q.q.replace(/[\\%_]/g, '\\$&');
    where.push({
      OR: [{ title: { contains: text, mode: 'insensitive' } }, { prompt: { contains: text, mode: 'insensitive' } }],
    });
  }
  for (const [key, value] of Object.entries(q.metadata ?? {})) {
    where.push({ metadata: { path: [key], equals: value } });
  }
  return where;
}

export async function listRuns(
  deps: Pick<ServiceDeps, 'db' | 'config'>,
  input: ListRunsInput,
): Promise<ListRunsResponse> {
  const { query } = input;
  requirePermission(input.principal, 'view', 'list runs');
  const where = await filtersWhere(deps, input.principal, query);
  if (query.cursor !== undefined) {
    where.push(
      afterCursorWhere(query.sort_by, query.sort_order, decodeCursor(query.cursor, query.sort_by, query.sort_order)),
    );
  }
  const rows = await deps.db.run.findMany({
    where: { AND: where },
    orderBy: orderByFor(query.sort_by, query.sort_order),
    take: query.limit + 1,
    include: RUN_ITEM_INCLUDE,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const hasNext = rows.length > query.limit && last !== undefined;
  const now = new Date();
  return {
    runs: page.map((r) => toRunItem(r, deps.config, now)),
    page_info: hasNext
      ? { has_next_page: true, next_cursor: encodeCursor(query.sort_by, query.sort_order, last) }
      : { has_next_page: false },
  };
}

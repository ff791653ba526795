import type { Principal } from '../../db/api-keys';
import type { ListHostsResponse } from '../../domain';
import { AppError } from '../app-error';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { visibleRunsWhere } from '../run-access';
import { readHostWorkers, summarizeHosts } from './host-registry';

/**
 * The execution hosts that reported through Temporal: id, capacity, running runs, last seen, live or offline.
 * Run ids are listed only for runs the key may see; the others are counted.
 */
export async function listHosts(deps: ServiceDeps, input: { principal: Principal }): Promise<ListHostsResponse> {
  requirePermission(input.principal, 'view', 'list hosts');
  let workers;
  try {
    workers = await readHostWorkers(deps);
  } catch (err) {
    throw new AppError('resource_unavailable', 'the host registry could not be read; retry shortly', {
      status: 503,
      headers: { 'Retry-After': '1' },
      cause: err,
    });
  }
  const hosts = summarizeHosts(workers, { now: Date.now(), reportIntervalMs: deps.config.host.reportIntervalMs });
  const ids = [...new Set(hosts.flatMap((h) => h.run_ids))];
  const visible = ids.length
    ? new Set(
        (
          await deps.db.run.findMany({
            where: { AND: [visibleRunsWhere(input.principal), { id: { in: ids } }] },
            select: { id: true },
          })
        ).map((r) => r.id),
      )
    : new Set<string>();
  return { hosts: hosts.map((h) => ({ ...h, run_ids: h.run_ids.filter((id) => visible.has(id)) })) };
}

import type { Principal } from '../db/api-keys';
import type { RunItem } from '../domain';
import type { ServiceDeps } from './deps';
import { findVisibleRun } from './run-access';
import { toRunItem } from './run-item';

export async function getRun(
  deps: Pick<ServiceDeps, 'db' | 'config'>,
  input: { principal: Principal; runId: string },
): Promise<RunItem> {
  const run = await findVisibleRun(deps.db, input.principal, input.runId);
  return toRunItem(run, deps.config);
}

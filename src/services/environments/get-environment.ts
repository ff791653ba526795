import type { Principal } from '../../db/api-keys';
import type { EnvironmentItem } from '../../domain';
import type { ServiceDeps } from '../deps';
import { findVisibleEnvironment } from './environment-access';
import { toEnvironmentItem } from './environment-item';

export async function getEnvironment(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; environmentId: string },
): Promise<EnvironmentItem> {
  return toEnvironmentItem(await findVisibleEnvironment(deps.db, input.principal, input.environmentId));
}

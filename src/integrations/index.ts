/** The integration adapters by type. A new integration is one import and one line here. */
import { AppError } from '../services/app-error';
import { githubAdapter } from './github';
import { linearAdapter } from './linear';
import { slackAdapter } from './slack';
import type { IntegrationAdapter, IntegrationType } from './types';
import { webhookAdapter } from './webhook';

export * from './types';

const ADAPTERS: Partial<Record<IntegrationType, IntegrationAdapter>> = {
  github: githubAdapter,
  linear: linearAdapter,
  slack: slackAdapter,
  webhook: webhookAdapter,
};

export function adapterFor(type: string): IntegrationAdapter {
  const adapter = ADAPTERS[type as IntegrationType];
  if (!adapter) throw new AppError('operation_not_supported', `integrations of type ${type} are not available yet`);
  return adapter;
}

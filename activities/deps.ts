import type { Logger } from 'pino';
import type { AppConfig } from '../src/config';
import type { Db } from '../src/db/client';
import type { KeyConfig } from '../src/secrets/keys';
import type { HostSlots } from './environment/host-slots';
import type { EnvironmentProvider } from './environment/provider';
import type { ModelGateway } from './model/registry';

/** Everything activities touch, injected once by the worker so tests can pass real or fake parts. */
export interface ActivityDeps {
  db: Db;
  models: ModelGateway;
  environments: EnvironmentProvider;
  /** The runs this host worker has accepted (its capacity); absent: no limit. */
  hostSlots?: HostSlots;
  /** Opens the secrets sealed on the platform for this host (the secrets module supplies it); absent: none. */
  unsealSecrets?: (sealed: string) => Record<string, string>;
  /** Keys of the secrets module (platform workers seal run secrets with them); absent: runs get no secrets. */
  secretKeys?: KeyConfig;
  /**
   * Reports a run's new state to the integration that triggered it (GitHub comment, Slack thread ...); best effort,
   * never throws. Absent: nothing is reported (host workers, tests without integrations).
   */
  reportRunState?: (change: { runId: string; state: string; statusMessage?: { message: string } }) => Promise<void>;
  logger: Logger;
  settings: {
    defaultModelId?: string;
    streaming: boolean;
    /** Host that serves runs without `worker_host` (and runs that ask for "warp"). */
    defaultHostId: string;
    taskQueuePrefix: string;
    harness: AppConfig['harness'];
  };
}

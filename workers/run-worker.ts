import { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { temporalDataConverter } from '../src/secrets/payload-codec';
import { hostTaskQueue, runsTaskQueue, type AppConfig } from '../src/config';
import { startHostReporter, type HostReporter } from './host-reporter';

export interface RunningWorkers {
  /** Resolves when every worker has stopped (after `shutdown`, or on a fatal error). */
  done: Promise<void>;
  shutdown(): Promise<void>;
  taskQueues: string[];
}

export interface StartWorkersOptions {
  config: AppConfig;
  connection: NativeConnection;
  deps: ActivityDeps;
  /** Serve the platform queue (workflows, database and model activities). */
  platform: boolean;
  /** Serve this host's queue (environments and tool calls). */
  hostId?: string;
  /** Report the host to the registry (GET /hosts); default true. */
  reportHost?: boolean;
  /** A prebuilt workflow bundle (tests build it once); otherwise the workflows are bundled at start-up. */
  workflowBundle?: WorkflowBundleWithSourceMap;
}

/**
 * Starts the workers of one process. Scaling out is running more of these processes, on more machines: Temporal
 * distributes the tasks.
 */
export async function startWorkers(options: StartWorkersOptions): Promise<RunningWorkers> {
  const { config, connection, deps } = options;
  const activities = createActivities(deps);
  const prefix = config.temporal.taskQueuePrefix;
  const workers: Worker[] = [];
  if (options.platform) {
    workers.push(
      await Worker.create({
        connection,
        namespace: config.temporal.namespace,
        dataConverter: temporalDataConverter(config),
        taskQueue: runsTaskQueue(prefix),
        ...(options.workflowBundle
          ? { workflowBundle: options.workflowBundle }
          : { workflowsPath: require.resolve('../workflows') }),
        activities,
        maxConcurrentActivityTaskExecutions: Math.max(20, config.worker.maxConcurrentRuns * 2),
        shutdownGraceTime: '10s',
      }),
    );
  }
  if (options.hostId) {
    workers.push(
      await Worker.create({
        connection,
        namespace: config.temporal.namespace,
        dataConverter: temporalDataConverter(config),
        taskQueue: hostTaskQueue(prefix, options.hostId),
        activities,
        // The host's slots (AMBIT_HOST_MAX_RUNS) bound its runs; a run has one host activity in flight at a time,
        // and a refused accept returns at once, so this only needs some room above the slots.
        maxConcurrentActivityTaskExecutions: config.host.maxRuns + 10,
        shutdownGraceTime: '10s',
      }),
    );
  }
  let reporter: HostReporter | undefined;
  if (options.hostId && deps.hostSlots && options.reportHost !== false) {
    reporter = startHostReporter({
      client: new Client({
        connection,
        namespace: config.temporal.namespace,
        dataConverter: temporalDataConverter(config),
      }),
      prefix,
      slots: deps.hostSlots,
      intervalMs: config.host.reportIntervalMs,
      logger: deps.logger,
    });
  }
  const done = Promise.all(workers.map((w) => w.run()))
    .then(() => undefined)
    .finally(() => reporter?.stop());
  return {
    done,
    taskQueues: workers.map((w) => w.options.taskQueue),
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}

import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { hostTaskQueue, runsTaskQueue, type AppConfig } from '../src/config';

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
        taskQueue: hostTaskQueue(prefix, options.hostId),
        activities,
        // Each run has at most one tool call in flight, so this bounds the runs working on this host at once.
        maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentRuns,
        shutdownGraceTime: '10s',
      }),
    );
  }
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  return {
    done,
    taskQueues: workers.map((w) => w.options.taskQueue),
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}

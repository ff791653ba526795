/** One full bench: start the platform, run (a), (b) and (c), and collect what the report needs. */
import os from 'node:os';
import type { Cleanup } from './cleanup';
import { cpuModel, gitCommit, loadAverage, processMemory, temporalCliVersion } from './machine';
import type { BenchOptions } from './options';
import type { BenchResults } from './report';
import { measureCreateLatency } from './scenarios/create-latency';
import { measureDockerEnvironments } from './scenarios/docker-environments';
import { measureEndToEnd, profileAmbitRun } from './scenarios/end-to-end';
import { measureThroughput } from './scenarios/throughput';
import { startBenchPlatform } from './setup';

export async function runBench(
  options: BenchOptions,
  cleanup: Cleanup,
  say: (line: string) => void,
): Promise<BenchResults> {
  const started = Date.now();
  const loadAtStart = loadAverage();
  const benchAtStart = processMemory('self');
  say(`Starting the bench platform (load average ${loadAtStart.join(' / ')} on ${os.cpus().length} cores)`);
  const platform = await startBenchPlatform(options, cleanup, say);
  const benchAfterSetup = processMemory('self');
  const temporalAfterSetup = processMemory(platform.temporal.pid);
  // A worker that dies makes the measurement waiting on it fail instead of hanging.
  const guarded = <T>(work: Promise<T>): Promise<T> => Promise.race([work, platform.failed]);

  say('Profiling one Ambit run ...');
  const profile = await guarded(profileAmbitRun(platform));
  const activities = profile.activities.length;
  say(`  ${activities} activities: ${profile.activities.join(', ')}; ${profile.modelCalls} model call(s)`);

  const latencyOptions = { iterations: options.iterations, warmup: options.warmup };
  say(`(a) creation latency: ${options.iterations} samples per side ...`);
  const create = await guarded(measureCreateLatency(platform, latencyOptions));
  say(`(b) one-turn run duration: ${options.iterations} samples per side ...`);
  const endToEnd = await guarded(measureEndToEnd(platform, { ...latencyOptions, activities }));
  say(`(c) throughput: ${options.throughputRuns} runs per side, ${options.inFlight} in flight ...`);
  const throughput = await guarded(
    measureThroughput(platform, { runs: options.throughputRuns, inFlight: options.inFlight, activities }),
  );

  const docker = await measureDockerEnvironments(
    { iterations: options.dockerIterations, dockerHost: options.dockerHost },
    cleanup,
    say,
  );
  if (!docker.ran) say(`(d) Docker environments skipped: ${docker.reason}`);

  const runs = 1 + options.warmup + options.iterations + options.throughputRuns;
  return {
    startedAt: new Date(started).toISOString(),
    durationS: (Date.now() - started) / 1000,
    machine: {
      cpuModel: cpuModel(),
      cores: os.cpus().length,
      memoryGiB: os.totalmem() / 1024 ** 3,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      temporalCli: temporalCliVersion(platform.temporal.cliPath),
      database: platform.database.version,
      loadAtStart,
      loadAtEnd: loadAverage(),
      commit: gitCommit(),
    },
    settings: {
      iterations: options.iterations,
      warmup: options.warmup,
      throughputRuns: options.throughputRuns,
      inFlight: options.inFlight,
      activities: profile.activities,
      // Every executed Ambit run's calls, divided by the runs executed: shows no run made extra calls.
      modelCallsPerRun: platform.models.callsFor('bench').length / runs,
      workers: platform.workerSettings,
    },
    create,
    endToEnd,
    throughput,
    docker,
    memory: {
      bench: { start: benchAtStart, afterSetup: benchAfterSetup, end: processMemory('self') },
      temporal: { afterSetup: temporalAfterSetup, end: processMemory(platform.temporal.pid) },
    },
  };
}

/**
 * (c) Completed runs per second with a fixed number in flight: as soon as one run completes the next is created, until
 * a fixed count has completed. Ambit runs are created over HTTP and awaited through their workflow result; bare runs
 * are `activitiesWorkflow` executions with the same number of activities.
 */
import { performance } from 'node:perf_hooks';
import { createRun, runActivitiesWorkflow, runResult } from '../drivers';
import type { BenchPlatform } from '../setup';
import { summarize, type Summary } from '../stats';

export interface PoolResult {
  completed: number;
  failed: number;
  elapsedMs: number;
  runsPerSecond: number;
  /** Each run's own time from creation to completion, under this load. */
  latency: Summary;
}

interface Batch {
  completed: number;
  failed: number;
  elapsedMs: number;
  latencies: number[];
}

/** Runs `task` `total` times with at most `inFlight` at once. A task resolves true when its run succeeded. */
async function runPool(total: number, inFlight: number, task: () => Promise<boolean>): Promise<Batch> {
  let next = 0;
  const batch: Batch = { completed: 0, failed: 0, elapsedMs: 0, latencies: [] };
  const lane = async () => {
    while (next < total) {
      next++;
      const start = performance.now();
      if (await task()) {
        batch.completed++;
        batch.latencies.push(performance.now() - start);
      } else {
        batch.failed++;
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, lane));
  batch.elapsedMs = performance.now() - start;
  return batch;
}

function combine(batches: Batch[]): PoolResult {
  const completed = batches.reduce((s, b) => s + b.completed, 0);
  const elapsedMs = batches.reduce((s, b) => s + b.elapsedMs, 0);
  return {
    completed,
    failed: batches.reduce((s, b) => s + b.failed, 0),
    elapsedMs,
    runsPerSecond: completed / (elapsedMs / 1000),
    latency: summarize(batches.flatMap((b) => b.latencies)),
  };
}

export interface ThroughputResult {
  ambit: PoolResult;
  bare: PoolResult;
}

export async function measureThroughput(
  platform: BenchPlatform,
  options: { runs: number; inFlight: number; activities: number },
): Promise<ThroughputResult> {
  const bare = (count: number) =>
    runPool(count, options.inFlight, async () => {
      await runActivitiesWorkflow(platform.client, platform.baselineTaskQueue, options.activities);
      return true;
    });
  const ambit = (count: number) =>
    runPool(count, options.inFlight, async () => {
      const runId = await createRun(platform.api.url, platform.apiKey);
      return (await runResult(platform.client, runId)).state === 'SUCCEEDED';
    });
  // Two half batches per side in the order bare, Ambit, Ambit, bare: a load that rises or falls steadily during the
  // measurement (other work on the machine) then weighs on both sides alike instead of on whichever ran last.
  const first = Math.ceil(options.runs / 2);
  const second = options.runs - first;
  const bareBatches = [await bare(first)];
  const ambitBatches = [await ambit(first)];
  if (second > 0) {
    ambitBatches.push(await ambit(second));
    bareBatches.push(await bare(second));
  }
  return { ambit: combine(ambitBatches), bare: combine(bareBatches) };
}

/**
 * (a) What creating a run costs: POST /api/v1/agent/runs (HTTP, authentication, validation, the run row and its
 * first event, the workflow start) against a bare `client.workflow.start` of a workflow that does nothing. Neither
 * side's task queue is polled, so no run executes while the next one is being created.
 */
import { performance } from 'node:perf_hooks';
import { createRun, startTrivial } from '../drivers';
import type { BenchPlatform } from '../setup';
import { summarize, type Summary } from '../stats';

export interface CreateLatencyResult {
  ambit: Summary;
  bare: Summary;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

export async function measureCreateLatency(
  platform: BenchPlatform,
  options: { iterations: number; warmup: number },
): Promise<CreateLatencyResult> {
  const ambit: number[] = [];
  const bare: number[] = [];
  const createAmbit = () => timed(() => createRun(platform.queuedApi.url, platform.apiKey));
  const createBare = () => timed(() => startTrivial(platform.client, platform.idleTaskQueue));
  for (let i = 0; i < options.warmup + options.iterations; i++) {
    // Alternating which side goes first spreads any drift in the machine's load evenly over both.
    const [first, second] = i % 2 === 0 ? [createAmbit, createBare] : [createBare, createAmbit];
    const a = await first();
    const b = await second();
    if (i < options.warmup) continue;
    ambit.push(i % 2 === 0 ? a : b);
    bare.push(i % 2 === 0 ? b : a);
  }
  return { ambit: summarize(ambit), bare: summarize(bare) };
}

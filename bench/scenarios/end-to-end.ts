/**
 * (b) How long a one-turn run takes from creation to SUCCEEDED, one at a time, against a bare workflow that runs as
 * many no-op activities as the Ambit run executed. Three clocks: the client's (create → workflow result), the
 * Temporal server's (execution start → close) and, for Ambit, the record's (created_at → ended_at).
 */
import { performance } from 'node:perf_hooks';
import { createRun, executionMs, runActivitiesWorkflow, runResult, scheduledActivities } from '../drivers';
import type { BenchPlatform } from '../setup';
import { summarize, type Summary } from '../stats';

export interface AmbitRunProfile {
  /** Activity types the run scheduled, in order (from its history). */
  activities: string[];
  modelCalls: number;
}

/**
 * One run to learn what a one-turn run does, so the bare workflow is given the same number of activities as Ambit
 * really executes rather than a number written down once. Throws, with the run's status, if it did not succeed:
 * any figure measured after that would describe a broken setup.
 */
export async function profileAmbitRun(platform: BenchPlatform): Promise<AmbitRunProfile> {
  const before = platform.models.requests.length;
  const runId = await createRun(platform.api.url, platform.apiKey);
  const result = await runResult(platform.client, runId);
  if (result.state !== 'SUCCEEDED') {
    const row = await platform.db.run.findUnique({ where: { id: runId }, select: { statusMessage: true } });
    throw new Error(
      `The first Ambit run ended ${result.state}, not SUCCEEDED (${JSON.stringify(row?.statusMessage ?? null)}); ` +
        'the bench measures nothing useful until a one-turn run succeeds.',
    );
  }
  return {
    activities: await scheduledActivities(platform.client, runId),
    modelCalls: platform.models.requests.length - before,
  };
}

export interface EndToEndResult {
  ambitWall: Summary;
  bareWall: Summary;
  ambitExecution: Summary;
  bareExecution: Summary;
  ambitRecord: Summary;
  /** Ambit runs that did not end SUCCEEDED; they are left out of the samples. */
  ambitFailures: number;
}

export async function measureEndToEnd(
  platform: BenchPlatform,
  options: { iterations: number; warmup: number; activities: number },
): Promise<EndToEndResult> {
  const samples = {
    ambitWall: [] as number[],
    bareWall: [] as number[],
    ambitExecution: [] as number[],
    bareExecution: [] as number[],
    ambitRecord: [] as number[],
  };
  let ambitFailures = 0;

  const ambit = async (keep: boolean) => {
    const start = performance.now();
    const runId = await createRun(platform.api.url, platform.apiKey);
    const result = await runResult(platform.client, runId);
    const wall = performance.now() - start;
    if (!keep) return;
    if (result.state !== 'SUCCEEDED') {
      ambitFailures++;
      return;
    }
    samples.ambitWall.push(wall);
    samples.ambitExecution.push(await executionMs(platform.client, runId));
    const row = await platform.db.run.findUniqueOrThrow({
      where: { id: runId },
      select: { createdAt: true, endedAt: true },
    });
    if (row.endedAt) samples.ambitRecord.push(row.endedAt.getTime() - row.createdAt.getTime());
  };
  const bare = async (keep: boolean) => {
    const start = performance.now();
    const workflowId = await runActivitiesWorkflow(platform.client, platform.baselineTaskQueue, options.activities);
    const wall = performance.now() - start;
    if (!keep) return;
    samples.bareWall.push(wall);
    samples.bareExecution.push(await executionMs(platform.client, workflowId));
  };

  for (let i = 0; i < options.warmup + options.iterations; i++) {
    const keep = i >= options.warmup;
    // Alternating which side goes first spreads any drift in the machine's load evenly over both.
    if (i % 2 === 0) {
      await ambit(keep);
      await bare(keep);
    } else {
      await bare(keep);
      await ambit(keep);
    }
  }
  return {
    ambitWall: summarize(samples.ambitWall),
    bareWall: summarize(samples.bareWall),
    ambitExecution: summarize(samples.ambitExecution),
    bareExecution: summarize(samples.bareExecution),
    ambitRecord: summarize(samples.ambitRecord),
    ambitFailures,
  };
}

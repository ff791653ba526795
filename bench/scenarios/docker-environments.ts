/**
 * (d) Docker environments: a cold prepare (clone + setup + snapshot commit), a warm prepare from that snapshot, and
 * the time until the agent's first step runs in the container, against the raw engine's create + start + exec +
 * remove cycle of a bare container from the same image, interleaved in the same run.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import Docker from 'dockerode';
import { DockerProvider, snapshotImage } from '../../activities/environment/docker';
import type { EnvironmentSpec } from '../../activities/environment/provider';
import { runSimple } from '../../activities/environment/docker/process';
import { ensureTestImages } from '../../test/helpers/docker';
import { makeRepository } from '../../test/docker/repository';
import type { Cleanup } from '../cleanup';
import { summarize, type Summary } from '../stats';

export interface DockerBenchResult {
  engine: string;
  image: string;
  setupCommands: string[];
  iterations: number;
  raw: Summary;
  coldPrepare: Summary;
  coldFirstStep: Summary;
  warmPrepare: Summary;
  warmFirstStep: Summary;
}

export type DockerBenchOutcome = { ran: true; result: DockerBenchResult } | { ran: false; reason: string };

/**
 * Stands in for a project's setup: many small files (a dependency install's shape) and a second of waiting (its
 * downloads). Cheap enough to repeat, costly enough that skipping it shows.
 */
const SETUP_COMMANDS = [
  'mkdir -p deps && i=0; while [ $i -lt 500 ]; do echo "module $i" > deps/m$i.js; i=$((i+1)); done',
  'sleep 1',
  'cat deps/*.js | wc -l > deps.count',
];

/** The agent's first step: a shell command in the workspace, as the built-in tool runs it. */
const FIRST_STEP = 'cat deps.count && ls app';

async function rawCycle(docker: Docker, image: string): Promise<number> {
  const started = performance.now();
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: ['trap "exit 0" TERM; while :; do sleep 3600 & wait $!; done'],
    HostConfig: { Init: true },
    Labels: { 'ambit.bench': 'raw' },
  });
  try {
    await container.start();
    const r = await runSimple(docker, container.id, { argv: ['/bin/sh', '-c', 'true'], user: '0' });
    if (r.exitCode !== 0) throw new Error(`exec in the raw container failed: ${r.stderr}`);
  } finally {
    await container.remove({ force: true });
  }
  return performance.now() - started;
}

export async function measureDockerEnvironments(
  options: { iterations: number; dockerHost: string | undefined },
  cleanup: Cleanup,
  say: (line: string) => void,
): Promise<DockerBenchOutcome> {
  if (!options.dockerHost) {
    return { ran: false, reason: 'no Docker engine is configured (DOCKER_HOST is not set)' };
  }
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (err) {
    return { ran: false, reason: `the engine at DOCKER_HOST=${options.dockerHost} does not answer: ${String(err)}` };
  }
  const version = await docker.version();
  const { busybox: image } = await ensureTestImages(docker);
  const repository = makeRepository();
  cleanup.add('bench repository', () => fs.promises.rm(repository.dir, { recursive: true, force: true }));
  const provider = new DockerProvider({ docker, allowLocalRepositories: true, snapshots: {} });
  const runIds: string[] = [];
  const keys = new Set<string>();
  cleanup.add('bench environments and snapshots', async () => {
    for (const id of runIds) await provider.destroy({ provider: 'docker', id });
    for (const key of keys) await docker.getImage(snapshotImage(key)).remove({ force: true });
  });
  const tag = crypto.randomBytes(4).toString('hex');
  // A fresh nonce per cold sample makes a new key, so every cold sample really is cold.
  const spec = (nonce: string): EnvironmentSpec => ({
    image,
    repositories: [{ url: `file://${repository.bare}`, path: 'app' }],
    setupCommands: SETUP_COMMANDS,
    env: { BENCH_NONCE: nonce },
  });

  const prepareAndStep = async (label: string, nonce: string, expectReused: boolean) => {
    const runId = `bench-${tag}-${label}`;
    runIds.push(runId);
    const started = performance.now();
    const handle = await provider.prepare({ runId, spec: spec(nonce) });
    const prepared = performance.now() - started;
    const step = await provider.exec(handle, FIRST_STEP, { timeoutMs: 60_000, outputCapBytes: 1 << 16 });
    const firstStep = performance.now() - started;
    if (step.exitCode !== 0 || step.stdout.trim() !== '500\nREADME.md') {
      throw new Error(`the first step in ${runId} printed ${JSON.stringify(step.stdout)} ${step.stderr}`);
    }
    if (!handle.snapshot || handle.snapshot.reused !== expectReused) {
      throw new Error(
        `${runId} should have ${expectReused ? 'reused' : 'saved'} a snapshot: ${JSON.stringify(handle)}`,
      );
    }
    keys.add(handle.snapshot.key);
    await provider.destroy({ provider: 'docker', id: runId });
    return { prepared, firstStep };
  };

  say(`(d) Docker environments: ${options.iterations} samples each of raw, cold and warm ...`);
  // Warm-up: the image's layers in the page cache, and the snapshot the warm samples start from.
  await rawCycle(docker, image);
  await prepareAndStep('seed', `${tag}-warm`, false);
  const raw: number[] = [];
  const cold: { prepared: number; firstStep: number }[] = [];
  const warm: { prepared: number; firstStep: number }[] = [];
  for (let i = 0; i < options.iterations; i += 1) {
    raw.push(await rawCycle(docker, image));
    cold.push(await prepareAndStep(`cold-${i}`, `${tag}-cold-${i}`, false));
    warm.push(await prepareAndStep(`warm-${i}`, `${tag}-warm`, true));
  }
  return {
    ran: true,
    result: {
      engine: `Docker ${version.Version} (API ${version.ApiVersion})`,
      image,
      setupCommands: SETUP_COMMANDS,
      iterations: options.iterations,
      raw: summarize(raw),
      coldPrepare: summarize(cold.map((c) => c.prepared)),
      coldFirstStep: summarize(cold.map((c) => c.firstStep)),
      warmPrepare: summarize(warm.map((w) => w.prepared)),
      warmFirstStep: summarize(warm.map((w) => w.firstStep)),
    },
  };
}

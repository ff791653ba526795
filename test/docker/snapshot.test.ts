/**
 * Warm starts on the real engine: a cold run commits its prepared container as a snapshot, the same environment
 * later starts from it without cloning or setup, any change of commands, variables or commits starts cold, and the
 * TTL and size cap evict old snapshots.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import {
  containerName,
  DockerProvider,
  evictSnapshots,
  LABEL_MANAGED_SNAPSHOT,
  LABEL_SNAPSHOT_CREATED,
  LABEL_SNAPSHOT_KEY,
  LABEL_SNAPSHOT_SIZE,
  listSnapshots,
  snapshotImage,
  type DockerProviderOptions,
} from '../../activities/environment/docker';
import type { EnvironmentHandle, EnvironmentSpec } from '../../activities/environment/provider';
import { connectDocker, ensureTestImages, managedResources, runIdPrefix } from '../helpers/docker';
import { git, makeRepository } from './repository';

let docker: Docker;
let image: string;
let repoDir: string;
let repoUrl: string;
const prefix = runIdPrefix('snapshot');
const created = new Set<string>();
/** Part of every spec's variables, so snapshots left by an earlier run of this file on the same engine never match. */
const nonce = crypto.randomBytes(6).toString('hex');
const SETUP = ['cat /proc/sys/kernel/random/uuid > marker', 'echo "$GREETING" > greeting.txt'];

function runId(name: string): string {
  const id = `${prefix}${name}`;
  created.add(id);
  return id;
}

function spec(extra: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return {
    image,
    repositories: [{ url: repoUrl, path: 'app' }],
    setupCommands: SETUP,
    env: { GREETING: 'hello', NONCE: nonce },
    ...extra,
  };
}

function provider(snapshots: DockerProviderOptions['snapshots'] = {}): DockerProvider {
  return new DockerProvider({ docker, allowLocalRepositories: true, snapshots });
}

async function prepare(p: DockerProvider, id: string, s: EnvironmentSpec) {
  const progress: string[] = [];
  const handle = await p.prepare({ runId: runId(id), spec: s, onProgress: (m) => progress.push(m) });
  return { handle, progress };
}

async function sh(p: DockerProvider, handle: EnvironmentHandle, command: string): Promise<string> {
  const r = await p.exec(handle, command, { timeoutMs: 20_000, outputCapBytes: 1 << 20 });
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

const setupLines = (progress: string[]) => progress.filter((m) => m.startsWith('$ ') || m.startsWith('cloning '));

async function ourSnapshots(): Promise<string[]> {
  return (await listSnapshots(docker)).filter((s) => keys.has(s.key)).map((s) => s.key);
}
const keys = new Set<string>();

beforeAll(async () => {
  docker = await connectDocker();
  ({ busybox: image } = await ensureTestImages(docker));
  const repository = makeRepository();
  repoDir = repository.dir;
  repoUrl = `file://${repository.bare}`;
});

afterAll(async () => {
  const cleaner = docker ? provider() : undefined;
  for (const id of created) await cleaner?.destroy({ provider: 'docker', id });
  for (const key of keys) {
    await docker
      ?.getImage(snapshotImage(key))
      .remove()
      .catch(() => undefined);
  }
  if (repoDir) fs.rmSync(repoDir, { recursive: true, force: true });
  if (docker) expect(await managedResources(docker, prefix)).toEqual({ containers: [], volumes: [] });
});

describe('warm starts', () => {
  const p = () => provider();
  let cold: { handle: EnvironmentHandle; progress: string[] };
  let coldMarker: string;

  beforeAll(async () => {
    cold = await prepare(p(), 'cold', spec());
    if (cold.handle.snapshot) keys.add(cold.handle.snapshot.key);
    coldMarker = await sh(p(), cold.handle, 'cat marker');
  });

  test('a cold run runs setup and commits a labelled snapshot under its key', async () => {
    expect(setupLines(cold.progress)).toEqual([
      `cloning ${repoUrl} into /workspace/app (on the host: the image has no git or no network)`,
      `$ ${SETUP[0]}`,
      `$ ${SETUP[1]}`,
    ]);
    const snapshot = cold.handle.snapshot;
    expect(snapshot).toEqual({
      key: expect.stringMatching(/^[0-9a-f]{64}$/),
      image: expect.any(String),
      reused: false,
    });
    expect(snapshot?.image).toBe(`ambit-snapshot:${snapshot?.key}`);
    const info = await docker.getImage(snapshot!.image).inspect();
    const labels = info.Config.Labels ?? {};
    expect(labels[LABEL_MANAGED_SNAPSHOT]).toBe('true');
    expect(labels[LABEL_SNAPSHOT_KEY]).toBe(snapshot?.key);
    expect(Math.abs(Number(labels[LABEL_SNAPSHOT_CREATED]) - Date.now())).toBeLessThan(10 * 60_000);
    expect(Number(labels[LABEL_SNAPSHOT_SIZE])).toBeGreaterThan(0);
    // Variable values only ever enter the key through the hash.
    expect(JSON.stringify(labels)).not.toContain(nonce);
    expect(cold.progress).toContain(`saved snapshot ${snapshot?.image}`);
    // The cold container keeps working, without the copy staged for the commit.
    expect(await sh(p(), cold.handle, 'cat greeting.txt; ls /.ambit')).toBe('hello\ncommits\ndone\nuser\n');
  });

  test('the same environment starts warm: no clone, no setup, the workspace of the cold run', async () => {
    const warm = await prepare(p(), 'warm', spec());
    expect(warm.handle.snapshot).toEqual({ ...cold.handle.snapshot, reused: true });
    expect(setupLines(warm.progress)).toEqual([]);
    expect(warm.progress).toContain(
      `created container ${containerName(`${prefix}warm`)} from snapshot ${cold.handle.snapshot?.image}: cloning and setup skipped`,
    );
    const info = await docker.getContainer(containerName(`${prefix}warm`)).inspect();
    expect(info.Config.Image).toBe(cold.handle.snapshot?.image);
    // The marker holds a value the setup drew at random: the warm one shows the cold run's, so setup did not run.
    expect(await sh(p(), warm.handle, 'cat marker')).toBe(coldMarker);
    expect(await sh(p(), warm.handle, 'cat greeting.txt; head -1 app/README.md; id -un')).toBe('hello\n# app\nambit\n');
    expect(await sh(p(), warm.handle, 'stat -c %U /workspace /workspace/app/README.md')).toBe('ambit\nambit\n');
    // The workspace is the warm run's own volume: a write there does not reach the cold run's.
    await sh(p(), warm.handle, 'echo warm-only > own.txt');
    expect((await p().exec(cold.handle, 'cat own.txt', { timeoutMs: 10_000, outputCapBytes: 1024 })).exitCode).not.toBe(
      0,
    );

    // A retried prepare of the warm run finds its container and reports the same snapshot, without restoring again.
    const again = await prepare(p(), 'warm', spec());
    expect(again.handle.snapshot).toEqual(warm.handle.snapshot);
    expect(await sh(p(), again.handle, 'cat own.txt')).toBe('warm-only\n');
  });

  test('a retried prepare of the cold run reports the snapshot it saved and commits nothing new', async () => {
    const before = await listSnapshots(docker);
    const again = await prepare(p(), 'cold', spec());
    expect(again.handle.snapshot).toEqual(cold.handle.snapshot);
    expect(again.progress.filter((m) => m.startsWith('saved snapshot'))).toEqual([]);
    expect((await listSnapshots(docker)).map((s) => s.id).sort()).toEqual(before.map((s) => s.id).sort());
  });

  test('a changed setup command or variable starts cold under another key', async () => {
    const changedCommand = await prepare(p(), 'cmd', spec({ setupCommands: [...SETUP, 'echo extra > extra.txt'] }));
    const changedEnv = await prepare(p(), 'env', spec({ env: { GREETING: 'hi', NONCE: nonce } }));
    for (const run of [changedCommand, changedEnv]) {
      if (run.handle.snapshot) keys.add(run.handle.snapshot.key);
      expect(run.handle.snapshot?.reused).toBe(false);
      expect(run.handle.snapshot?.key).not.toBe(cold.handle.snapshot?.key);
      expect(setupLines(run.progress)).toContain(`$ ${SETUP[0]}`);
      expect(await sh(p(), run.handle, 'cat marker')).not.toBe(coldMarker);
    }
    expect(changedCommand.handle.snapshot?.key).not.toBe(changedEnv.handle.snapshot?.key);
    expect(await sh(p(), changedEnv.handle, 'cat greeting.txt')).toBe('hi\n');
  });

  test("the run's secrets are part of the key: other secrets start cold, the same ones start warm", async () => {
    const withSecrets = async (id: string, secrets: Record<string, string>) => {
      const progress: string[] = [];
      const handle = await p().prepare({
        runId: runId(id),
        spec: spec(),
        env: secrets,
        onProgress: (m) => progress.push(m),
      });
      if (handle.snapshot) keys.add(handle.snapshot.key);
      return { handle, progress };
    };
    const alice = await withSecrets('sec-alice', { PERSONAL_TOKEN: `alice-${nonce}` });
    // A snapshot whose setup saw Alice's secret is not the plain one, and is never handed to a run with Bob's.
    expect(alice.handle.snapshot?.reused).toBe(false);
    expect(alice.handle.snapshot?.key).not.toBe(cold.handle.snapshot?.key);
    expect(JSON.stringify(alice.handle.snapshot)).not.toContain(`alice-${nonce}`);
    const bob = await withSecrets('sec-bob', { PERSONAL_TOKEN: `bob-${nonce}` });
    expect(bob.handle.snapshot?.reused).toBe(false);
    expect(bob.handle.snapshot?.key).not.toBe(alice.handle.snapshot?.key);
    expect(setupLines(bob.progress)).toContain(`$ ${SETUP[0]}`);
    const aliceAgain = await withSecrets('sec-alice-again', { PERSONAL_TOKEN: `alice-${nonce}` });
    expect(aliceAgain.handle.snapshot).toEqual({ ...alice.handle.snapshot, reused: true });
    expect(setupLines(aliceAgain.progress)).toEqual([]);
  });

  test('a new commit on the repository starts cold, and its snapshot records the new commit', async () => {
    const work = path.join(repoDir, 'work');
    fs.writeFileSync(path.join(work, 'README.md'), '# app v2\n');
    git(work, 'commit', '-q', '-am', 'second');
    git(path.join(repoDir, 'origin.git'), 'fetch', '-q', work, 'main:main');
    const head = git(work, 'rev-parse', 'HEAD').trim();

    const moved = await prepare(p(), 'moved', spec());
    if (moved.handle.snapshot) keys.add(moved.handle.snapshot.key);
    expect(moved.handle.snapshot?.reused).toBe(false);
    expect(moved.handle.snapshot?.key).not.toBe(cold.handle.snapshot?.key);
    expect(setupLines(moved.progress)).toContain(`$ ${SETUP[0]}`);
    expect(await sh(p(), moved.handle, 'head -1 app/README.md; cat /.ambit/commits/clone-0')).toBe(`# app v2\n${head}`);

    // The same commit again: warm from the new snapshot.
    const again = await prepare(p(), 'moved-again', spec());
    expect(again.handle.snapshot).toEqual({ ...moved.handle.snapshot, reused: true });
    expect(setupLines(again.progress)).toEqual([]);
  });
});

describe('eviction', () => {
  // A snapshot a container still uses cannot be removed: start from an engine where none of ours is in use.
  beforeAll(async () => {
    for (const id of created) await provider().destroy({ provider: 'docker', id });
  });

  const envOf = (tag: string) => ({ GREETING: tag, NONCE: nonce });

  test('snapshots older than the TTL are removed after the next commit; the one just made stays', async () => {
    const first = await prepare(provider(), 'ttl-a', spec({ env: envOf('ttl-a'), repositories: [] }));
    const keyA = first.handle.snapshot!.key;
    keys.add(keyA);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await prepare(provider({ ttlMs: 20 }), 'ttl-b', spec({ env: envOf('ttl-b'), repositories: [] }));
    const keyB = second.handle.snapshot!.key;
    keys.add(keyB);
    const left = await ourSnapshots();
    expect(left).toContain(keyB);
    expect(left).not.toContain(keyA);
    expect(second.progress.some((m) => /^evicted \d+ old snapshot\(s\)$/.test(m))).toBe(true);
    // An evicted snapshot means a cold start again.
    const afterEviction = await prepare(provider(), 'ttl-a-again', spec({ env: envOf('ttl-a'), repositories: [] }));
    expect(afterEviction.handle.snapshot).toEqual({ key: keyA, image: snapshotImage(keyA), reused: false });
  });

  test('over the size cap the oldest snapshots go first', async () => {
    const made: string[] = [];
    for (const tag of ['cap-1', 'cap-2', 'cap-3']) {
      const run = await prepare(provider(), tag, spec({ env: envOf(tag), repositories: [] }));
      made.push(run.handle.snapshot!.key);
      keys.add(run.handle.snapshot!.key);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const all = await listSnapshots(docker);
    const sizeOf = (key: string) => all.find((s) => s.key === key)!.sizeBytes;
    // Room for everything but the first of the three: it and every older snapshot must go, the two newer stay.
    const removed = await evictSnapshots(docker, {
      ttlMs: 3600_000,
      maxBytes: sizeOf(made[1]!) + sizeOf(made[2]!),
      keep: made[2],
    });
    expect(removed).toContain(made[0]);
    expect(removed).not.toContain(made[1]);
    const left = await ourSnapshots();
    expect(left).toEqual(expect.arrayContaining([made[1], made[2]]));
    expect(left).not.toContain(made[0]);

    // Through the provider: a cap of one byte leaves only the snapshot just committed.
    const tiny = await prepare(
      provider({ maxBytes: 1 }),
      'cap-tiny',
      spec({ env: envOf('cap-tiny'), repositories: [] }),
    );
    keys.add(tiny.handle.snapshot!.key);
    expect(await ourSnapshots()).toEqual([tiny.handle.snapshot!.key]);
  });
});

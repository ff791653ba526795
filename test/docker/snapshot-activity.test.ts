/**
 * Warm starts seen from outside the provider: `prepareEnvironment` records the snapshot a run used as a run event,
 * and a repository behind a token is resolved with `git ls-remote` for the warm start, cloned by the image's own git
 * on the cold one, without the token reaching the snapshot.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type Docker from 'dockerode';
import { DockerProvider, snapshotImage } from '../../activities/environment/docker';
import type { EnvironmentHandle, EnvironmentSpec } from '../../activities/environment/provider';
import { RoutingEnvironmentProvider } from '../../activities/environment/routing-provider';
import { createActivities } from '../../activities';
import { DEFAULT_TEAM_ID } from '../../src/db/bootstrap';
import { runActivity, seedRun, startActivityHarness, type ActivityHarness } from '../activities/support';
import { bridgeGateway, connectDocker, ensureTestImages, managedResources, runIdPrefix } from '../helpers/docker';
import { startGitHttpServer, type GitHttpServer } from './git-http-server';
import { makeRepository } from './repository';

const TOKEN = 'ghs_snapsh0t-t0ken+odd/chars=';
let docker: Docker;
let images: { busybox: string; tools: string };
let provider: DockerProvider;
let repoDir: string;
let gitServer: GitHttpServer;
let repoUrl: string;
const prefix = runIdPrefix('snapact');
const nonce = crypto.randomBytes(6).toString('hex');
const runIds = new Set<string>();
const keys = new Set<string>();

beforeAll(async () => {
  docker = await connectDocker();
  images = await ensureTestImages(docker);
  provider = new DockerProvider({ docker, snapshots: {} });
  const repository = makeRepository();
  repoDir = repository.dir;
  gitServer = await startGitHttpServer({
    root: repoDir,
    host: await bridgeGateway(docker),
    username: 'x-access-token',
    token: TOKEN,
  });
  repoUrl = `${gitServer.url}/origin.git`;
});

afterAll(async () => {
  for (const id of runIds) await provider?.destroy({ provider: 'docker', id });
  for (const key of keys) {
    await docker
      ?.getImage(snapshotImage(key))
      .remove()
      .catch(() => undefined);
  }
  await gitServer?.close();
  if (repoDir) fs.rmSync(repoDir, { recursive: true, force: true });
  if (docker) expect(await managedResources(docker, prefix)).toEqual({ containers: [], volumes: [] });
});

describe('prepareEnvironment records the snapshot on the run', () => {
  let h: ActivityHarness;
  beforeAll(async () => {
    h = await startActivityHarness({ dbKind: 'pglite' });
  });
  afterAll(async () => {
    for (const id of runIds) await provider?.destroy({ provider: 'docker', id });
    await h?.close();
  });

  test('a cold run records the snapshot it saved, the next run the one it reused', async () => {
    const activities = createActivities({
      ...h.deps,
      environments: new RoutingEnvironmentProvider(h.workspaces, provider),
    });
    const environmentId = `env-${nonce}`;
    await h.db.environment.create({
      data: {
        id: environmentId,
        teamId: DEFAULT_TEAM_ID,
        scope: 'Team',
        ownerKey: '',
        name: `snapshot-${nonce}`,
        dockerImage: images.busybox,
        setupCommands: ['cat /proc/sys/kernel/random/uuid > marker'],
        env: { NONCE: nonce },
      },
    });
    const snapshotEvents = async (runId: string) =>
      (await h.db.runEvent.findMany({ where: { runId, type: 'log' }, orderBy: { id: 'asc' } }))
        .map((e) => e.data as { source?: string; snapshot?: unknown })
        .filter((d) => d.snapshot !== undefined);

    const recorded = [];
    for (const step of ['cold', 'warm']) {
      const runId = await seedRun(h.db);
      // Run ids of this harness are not prefixed; keep them for the teardown and the leak check below.
      runIds.add(runId);
      await h.db.run.update({ where: { id: runId }, data: { environmentId } });
      const ref = await runActivity(activities, 'prepareEnvironment', { runId });
      expect(ref).toEqual({ provider: 'docker', id: runId });
      // A retried activity records nothing twice.
      await runActivity(activities, 'prepareEnvironment', { runId });
      const events = await snapshotEvents(runId);
      expect(events).toHaveLength(1);
      recorded.push({ step, ...events[0] });
    }
    const [cold, warm] = recorded as { step: string; snapshot: { key: string; image: string; reused: boolean } }[];
    expect(cold?.snapshot).toEqual({
      key: expect.stringMatching(/^[0-9a-f]{64}$/),
      image: `ambit-snapshot:${cold?.snapshot.key}`,
      reused: false,
    });
    keys.add(cold!.snapshot.key);
    expect(warm).toEqual({ step: 'warm', source: 'environment', snapshot: { ...cold!.snapshot, reused: true } });
  });
});

describe('a repository behind a token', () => {
  const spec = (): EnvironmentSpec => ({
    image: images.tools,
    repositories: [{ url: repoUrl, ref: 'feature', token: TOKEN }],
    setupCommands: ['git -C origin log --format=%s > log.txt'],
    env: { NONCE: nonce },
  });
  const prepare = async (name: string) => {
    const runId = `${prefix}${name}`;
    runIds.add(runId);
    const progress: string[] = [];
    const handle = await provider.prepare({ runId, spec: spec(), onProgress: (m) => progress.push(m) });
    return { handle, progress };
  };
  const read = async (handle: EnvironmentHandle, file: string) => (await provider.readFile(handle, file)).toString();

  test('is resolved with ls-remote for the warm start; the token is in no snapshot, label or progress line', async () => {
    const cold = await prepare('token-cold');
    keys.add(cold.handle.snapshot!.key);
    expect(cold.progress).toContain(`cloning ${repoUrl} into /workspace/origin`);
    expect(cold.handle.snapshot?.reused).toBe(false);

    const before = gitServer.requests.length;
    const warm = await prepare('token-warm');
    expect(warm.handle.snapshot).toEqual({ ...cold.handle.snapshot, reused: true });
    expect(warm.progress.filter((m) => m.startsWith('cloning') || m.startsWith('$ '))).toEqual([]);
    expect(await read(warm.handle, 'log.txt')).toBe('feature\nfirst\n');
    // The ref was asked of the server from the host, with the token.
    const asked = gitServer.requests.slice(before);
    expect(asked.some((r) => r.authorized && r.url.includes('info/refs'))).toBe(true);

    const info = await docker.getImage(cold.handle.snapshot!.image).inspect();
    expect(JSON.stringify(info)).not.toContain(TOKEN);
    const history = await docker.getImage(cold.handle.snapshot!.image).history();
    expect(JSON.stringify(history)).not.toContain(TOKEN);
    expect([...cold.progress, ...warm.progress].join('\n')).not.toContain(TOKEN);
    const grep = await provider.exec(
      warm.handle,
      `grep -rl -e '${TOKEN}' /workspace /.ambit /home /root /tmp; echo rc=$?`,
      {
        timeoutMs: 60_000,
        outputCapBytes: 1 << 20,
      },
    );
    expect(grep.stdout).toBe('rc=1\n');
  });
});

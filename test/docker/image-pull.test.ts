/**
 * Images the engine does not have are pulled, with progress and registry credentials from the spec, from a real
 * registry protocol server on 127.0.0.1 (no public registry is reachable from CI).
 */
import crypto from 'node:crypto';
import type Docker from 'dockerode';
import { DockerProvider } from '../../activities/environment/docker';
import { EnvironmentSetupError } from '../../activities/environment/provider';
import { connectDocker, ensureTestImages, managedResources, runIdPrefix } from '../helpers/docker';
import { startRegistry, type RegistryServer } from './registry-server';

const credentials = { username: 'puller', password: 'pull-secret' };
let docker: Docker;
let registry: RegistryServer;
let provider: DockerProvider;
let image: string;
const prefix = runIdPrefix('pull');
const created = new Set<string>();

function runId(name: string): string {
  const id = `${prefix}${name}`;
  created.add(id);
  return id;
}

async function removeImage(reference: string): Promise<void> {
  await docker
    .getImage(reference)
    .remove({ force: true })
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
}

beforeAll(async () => {
  docker = await connectDocker();
  const { busybox } = await ensureTestImages(docker);
  registry = await startRegistry({
    docker,
    source: busybox,
    repository: 'ambit-test/pulled',
    tag: 'v1',
    credentials,
    // Incompressible megabytes: enough for the engine to report download progress many times.
    extraFile: { path: 'etc/pulled-marker', content: `${prefix}\n${crypto.randomBytes(3 << 20).toString('base64')}\n` },
  });
  image = `${registry.host}/ambit-test/pulled:v1`;
  provider = new DockerProvider({ docker });
});

afterAll(async () => {
  for (const id of created) await provider?.destroy({ provider: 'docker', id });
  if (image) await removeImage(image);
  await registry?.close();
  if (docker) expect(await managedResources(docker, prefix)).toEqual({ containers: [], volumes: [] });
});

test('without the credentials the pull fails as a setup error and nothing is created', async () => {
  const id = runId('denied');
  const error = await provider.prepare({ runId: id, spec: { image } }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(EnvironmentSetupError);
  expect((error as EnvironmentSetupError).command).toBe(`docker pull ${image}`);
  expect((error as Error).message).toMatch(/the image could not be pulled/);
  expect(await managedResources(docker, id)).toEqual({ containers: [], volumes: [] });
});

test('a missing image is a setup error', async () => {
  const missing = `${registry.host}/ambit-test/pulled:no-such-tag`;
  await expect(
    provider.prepare({ runId: runId('missing'), spec: { image: missing, registryAuth: credentials } }),
  ).rejects.toThrow(EnvironmentSetupError);
});

test('an absent image is pulled with the spec credentials, reporting progress, then reused', async () => {
  await removeImage(image);
  const progress: string[] = [];
  const handle = await provider.prepare({
    runId: runId('pulled'),
    spec: { image, registryAuth: { ...credentials, serveraddress: registry.host } },
    onProgress: (m) => progress.push(m),
  });
  expect(progress[0]).toBe(`pulling image ${image}`);
  expect(progress).toEqual(expect.arrayContaining([expect.stringMatching(/: Pull complete$/)]));
  expect(progress).toContain(`pulled image ${image}`);
  // One line per layer and status, not one per downloaded chunk.
  const downloading = progress.filter((m) => m.endsWith(': Downloading'));
  expect(new Set(downloading).size).toBe(downloading.length);
  expect(registry.requests).toEqual(expect.arrayContaining([expect.stringMatching(/\/blobs\/sha256:/)]));
  const r = await provider.exec(handle, 'head -n 1 /etc/pulled-marker', { timeoutMs: 10_000, outputCapBytes: 1024 });
  expect(r.stdout).toBe(`${prefix}\n`);

  const served = registry.requests.length;
  const again: string[] = [];
  await provider.prepare({ runId: runId('present'), spec: { image }, onProgress: (m) => again.push(m) });
  expect(again.some((m) => m.startsWith('pulling'))).toBe(false);
  expect(registry.requests.length).toBe(served);
});

test("without credentials in the spec, the host's credentials for the image's registry pull it (AMBIT_REGISTRY_AUTH)", async () => {
  await removeImage(image);
  const hostProvider = new DockerProvider({
    docker,
    hostDefaults: { registryAuth: { [registry.host]: { ...credentials, serveraddress: registry.host } } },
  });
  const progress: string[] = [];
  const handle = await hostProvider.prepare({
    runId: runId('host-auth'),
    spec: { image },
    onProgress: (m) => progress.push(m),
  });
  expect(progress).toContain(`pulled image ${image}`);
  const r = await hostProvider.exec(handle, 'head -n 1 /etc/pulled-marker', {
    timeoutMs: 10_000,
    outputCapBytes: 1024,
  });
  expect(r.stdout).toBe(`${prefix}\n`);
  await hostProvider.destroy(handle);
});

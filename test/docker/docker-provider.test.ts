/**
 * The Docker provider on a real engine with a busybox image (no git in it: repositories are cloned on the host and
 * copied in). Provisioning, idempotence, setup failures, limits, exec, files, teardown and the reaper.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import {
  containerName,
  DockerProvider,
  LABEL_MANAGED,
  LABEL_RUN_ID,
  reapContainers,
  volumeName,
} from '../../activities/environment/docker';
import {
  EnvironmentPathError,
  EnvironmentSetupError,
  type EnvironmentHandle,
  type EnvironmentSpec,
} from '../../activities/environment/provider';
import { executeBuiltinTool } from '../../activities/tools/builtin';
import { connectDocker, ensureTestImages, managedResources, runIdPrefix } from '../helpers/docker';
import { makeRepository } from './repository';

let docker: Docker;
let image: string;
let nobodyImage: string;
let provider: DockerProvider;
let repoDir: string;
let repoUrl: string;
const prefix = runIdPrefix('provider');
const created = new Set<string>();

function runId(name: string): string {
  const id = `${prefix}${name}`;
  created.add(id);
  return id;
}

function spec(extra: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return { image, ...extra };
}

async function sh(handle: EnvironmentHandle, command: string, cwd?: string) {
  return provider.exec(handle, command, { timeoutMs: 20_000, outputCapBytes: 1 << 20, ...(cwd ? { cwd } : {}) });
}

/** Runs a command as root in a run's container, outside the provider (to arrange what a test needs). */
async function asRoot(id: string, command: string): Promise<void> {
  const exec = await docker
    .getContainer(containerName(id))
    .exec({ Cmd: ['/bin/sh', '-c', command], User: '0', AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise((resolve) => {
    stream.on('end', resolve);
    stream.resume();
  });
}

async function containersOfRun(id: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL_RUN_ID}=${id}`] } });
}

beforeAll(async () => {
  docker = await connectDocker();
  ({ busybox: image, nobody: nobodyImage } = await ensureTestImages(docker));
  provider = new DockerProvider({ docker, allowLocalRepositories: true });
  const repository = makeRepository();
  repoDir = repository.dir;
  repoUrl = `file://${repository.bare}`;
});

afterAll(async () => {
  for (const id of created) await provider?.destroy({ provider: 'docker', id });
  if (repoDir) fs.rmSync(repoDir, { recursive: true, force: true });
  // Nothing this file created may outlive it.
  if (docker) expect(await managedResources(docker, prefix)).toEqual({ containers: [], volumes: [] });
});

describe('provisioning', () => {
  let id: string;
  let handle: EnvironmentHandle;
  const progress: string[] = [];

  beforeAll(async () => {
    id = runId('provision');
    handle = await provider.prepare({
      runId: id,
      onProgress: (m) => progress.push(m),
      spec: spec({
        repositories: [{ url: repoUrl, ref: 'feature', path: 'app' }],
        setupCommands: [
          'echo "$GREETING" > greeting.txt',
          'wc -l < app/README.md > lines.txt; echo setup-out; echo setup-err >&2',
          'echo once >> runs.txt',
        ],
        env: { GREETING: 'hello from the spec' },
      }),
    });
  });

  test('creates one labelled container with Init, the workspace volume and no Docker socket', async () => {
    expect(handle).toEqual({ provider: 'docker', id, workdir: '/workspace' });
    const info = await docker.getContainer(containerName(id)).inspect();
    expect(info.Name).toBe(`/ambit-run-${id}`);
    expect(info.Config.Labels).toMatchObject({ [LABEL_MANAGED]: 'true', [LABEL_RUN_ID]: id });
    expect(info.HostConfig.Init).toBe(true);
    expect(info.State.Running).toBe(true);
    expect(info.Mounts).toEqual([
      expect.objectContaining({ Type: 'volume', Name: volumeName(id), Destination: '/workspace' }),
    ]);
    expect(JSON.stringify(info.Mounts)).not.toContain('docker.sock');
    expect(info.HostConfig.Binds ?? []).toEqual([]);
  });

  test('clones the repository at the ref, owned by the run user, without credentials in its config', async () => {
    expect(progress).toContain(
      `cloning ${repoUrl} into /workspace/app (on the host: the image has no git or no network)`,
    );
    expect((await provider.readFile(handle, 'app/src/feature.txt')).toString()).toBe('only on feature\n');
    expect((await provider.readFile(handle, 'app/.git/HEAD')).toString()).toContain('feature');
    expect((await provider.readFile(handle, 'app/.git/config')).toString()).toContain(`url = ${repoUrl}`);
    const owner = await sh(handle, 'stat -c %U app/README.md app/src/feature.txt');
    expect(owner.stdout.split('\n').filter(Boolean)).toEqual(['ambit', 'ambit']);
  });

  test('runs the setup commands in order with the spec environment, streaming their output', async () => {
    expect((await provider.readFile(handle, 'greeting.txt')).toString()).toBe('hello from the spec\n');
    expect((await provider.readFile(handle, 'lines.txt')).toString().trim()).toBe('2');
    const i = progress.indexOf('$ wc -l < app/README.md > lines.txt; echo setup-out; echo setup-err >&2');
    expect(i).toBeGreaterThan(progress.indexOf('$ echo "$GREETING" > greeting.txt'));
    expect(progress.slice(i)).toEqual(expect.arrayContaining(['setup-out', 'setup-err']));
    expect(progress[progress.length - 1]).toBe('environment ready');
  });

  test('tool commands run as the non-root user of the image and see the spec environment', async () => {
    const r = await sh(handle, 'id -un; echo "$GREETING"; echo "$AMBIT_WORKSPACE"; pwd');
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, truncated: false });
    expect(r.stdout).toBe('ambit\nhello from the spec\n/workspace\n/workspace\n');
  });

  test('a second prepare of the run reuses the container and does not repeat setup', async () => {
    const again = await provider.prepare({ runId: id, spec: spec({ setupCommands: ['echo again >> runs.txt'] }) });
    expect(again).toEqual(handle);
    expect(await containersOfRun(id)).toHaveLength(1);
    expect((await provider.readFile(handle, 'runs.txt')).toString()).toBe('once\n');
  });

  test('a new provider instance (another worker) attaches to the same container', async () => {
    const other = new DockerProvider({ docker });
    const attached = await other.attach({ provider: 'docker', id });
    expect(attached).toEqual(handle);
    const r = await other.exec(attached!, 'id -un; cat greeting.txt', { timeoutMs: 10_000, outputCapBytes: 4096 });
    expect(r.stdout).toBe('ambit\nhello from the spec\n');
  });
});

describe('resuming', () => {
  test('a prepare cut off mid-setup resumes on another worker: finished steps are kept, the cut one runs again', async () => {
    const id = runId('resume');
    const setupCommands = [
      'echo a >> log.txt',
      'echo b >> log.txt; echo started-b; [ -f go ] || sleep 45',
      'echo c >> log.txt',
    ];
    const controller = new AbortController();
    const first = provider.prepare({
      runId: id,
      signal: controller.signal,
      onProgress: (m) => m === 'started-b' && controller.abort(),
      spec: spec({ setupCommands }),
    });
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });

    const otherWorker = new DockerProvider({ docker });
    const handle = (await otherWorker.attach({ provider: 'docker', id }))!;
    await otherWorker.writeFile(handle, 'go', '');
    const progress: string[] = [];
    await otherWorker.prepare({ runId: id, spec: spec({ setupCommands }), onProgress: (m) => progress.push(m) });
    expect(progress[0]).toBe(`found container ${containerName(id)}; resuming its setup`);
    expect(progress).not.toContain('$ echo a >> log.txt');
    expect((await otherWorker.readFile(handle, 'log.txt')).toString()).toBe('a\nb\nb\nc\n');
    expect(await containersOfRun(id)).toHaveLength(1);
  });
});

describe('setup failures', () => {
  test('the first failing command stops setup with its command and output tail', async () => {
    const id = runId('setup-fails');
    const lines = Array.from({ length: 50 }, (_, i) => `echo line-${i}`).join('; ');
    const failing = `${lines}; echo broken-dependency >&2; exit 7`;
    const error = await provider
      .prepare({
        runId: id,
        spec: spec({ setupCommands: ['echo first > first.txt', failing, 'echo never > never.txt'] }),
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(EnvironmentSetupError);
    const setupError = error as EnvironmentSetupError;
    expect(setupError.command).toBe(failing);
    expect(setupError.exitCode).toBe(7);
    expect(setupError.outputTail).toContain('broken-dependency');
    expect(setupError.outputTail).toContain('line-49');
    expect(setupError.outputTail).not.toContain('line-0\n');
    expect(setupError.message).toContain('exit code 7');
    expect(setupError.message).toContain(failing);

    const handle = (await provider.attach({ provider: 'docker', id }))!;
    expect((await provider.readFile(handle, 'first.txt')).toString()).toBe('first\n');
    await expect(provider.readFile(handle, 'never.txt')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('cancelling during setup kills the running command and stops provisioning', async () => {
    const id = runId('cancelled');
    const controller = new AbortController();
    const progress: string[] = [];
    const started = Date.now();
    const prepared = provider.prepare({
      runId: id,
      signal: controller.signal,
      onProgress: (m) => {
        progress.push(m);
        if (m === 'waiting') controller.abort();
      },
      spec: spec({ setupCommands: ['echo waiting; sleep 44', 'echo never > never.txt'] }),
    });
    await expect(prepared).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(10_000);
    const handle = (await provider.attach({ provider: 'docker', id }))!;
    expect((await sh(handle, 'ps -o args; ls')).stdout).not.toMatch(/sleep 44|never\.txt/);
  });

  test('a repository that cannot be cloned fails setup naming the URL', async () => {
    const url = `file://${path.join(repoDir, 'missing.git')}`;
    const error = await provider.prepare({ runId: runId('clone-fails'), spec: spec({ repositories: [{ url }] }) }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(EnvironmentSetupError);
    expect((error as EnvironmentSetupError).command).toBe(`git clone ${url}`);
    expect((error as EnvironmentSetupError).outputTail).toMatch(/does not appear to be a git repository|not found/i);
  });

  test('file:// repositories are refused unless the host allows them, before anything is created', async () => {
    const strict = new DockerProvider({ docker });
    const id = runId('no-local');
    await expect(strict.prepare({ runId: id, spec: spec({ repositories: [{ url: repoUrl }] }) })).rejects.toThrow(
      /file:\/\/ repositories are not allowed/,
    );
    expect(await containersOfRun(id)).toHaveLength(0);
  });

  test('an invalid spec names the field', async () => {
    await expect(provider.prepare({ runId: runId('bad-spec'), spec: { image: 'Not An Image' } })).rejects.toThrow(
      /image: must not contain spaces/,
    );
  });

  test('a user the image lacks is a setup error', async () => {
    await expect(provider.prepare({ runId: runId('bad-user'), spec: spec({ user: 'ghost' }) })).rejects.toThrow(
      /user ghost does not exist in the image/,
    );
  });
});

describe('limits and network', () => {
  test('CPU, memory and PID limits and the network mode reach the container', async () => {
    const id = runId('limits');
    const handle = await provider.prepare({
      runId: id,
      spec: spec({ limits: { cpus: 0.5, memoryMb: 64, pids: 40 }, network: 'none', user: 'root' }),
    });
    const info = await docker.getContainer(containerName(id)).inspect();
    expect(info.HostConfig).toMatchObject({
      NanoCpus: 500_000_000,
      Memory: 64 * 1024 * 1024,
      MemorySwap: 64 * 1024 * 1024,
      PidsLimit: 40,
      NetworkMode: 'none',
    });
    // The kernel enforces them: the container's own cgroup says so, and it has no network but loopback.
    const r = await sh(
      handle,
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; ' +
        'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; ls /sys/class/net; id -u',
    );
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([String(64 * 1024 * 1024), '40', 'lo', '0']);
  });
});

describe("the host's defaults", () => {
  test('a host provider applies its limits and network to specs that set none; a spec overrides them', async () => {
    const host = new DockerProvider({
      docker,
      hostDefaults: { limits: { cpus: 0.25, memoryMb: 48, pids: 30 }, network: 'none' },
    });
    const plain = runId('host-defaults');
    await host.prepare({ runId: plain, spec: spec() });
    expect((await docker.getContainer(containerName(plain)).inspect()).HostConfig).toMatchObject({
      NanoCpus: 250_000_000,
      Memory: 48 * 1024 * 1024,
      PidsLimit: 30,
      NetworkMode: 'none',
    });
    const own = runId('host-defaults-own');
    await host.prepare({ runId: own, spec: spec({ limits: { pids: 50 }, network: 'bridge' }) });
    expect((await docker.getContainer(containerName(own)).inspect()).HostConfig).toMatchObject({
      NanoCpus: 250_000_000,
      PidsLimit: 50,
      NetworkMode: 'bridge',
    });
  });
});

describe('stepwise provisioning (the host returns after each step, the platform records its output)', () => {
  test('one call per step: container, each clone, each setup command; then ready; output reported per step', async () => {
    const id = runId('stepwise');
    const steps: { incomplete: boolean; lines: string[] }[] = [];
    const stepSpec = spec({ repositories: [{ url: repoUrl }], setupCommands: ['echo first', 'echo second'] });
    for (let i = 0; i < 10; i++) {
      const lines: string[] = [];
      const handle = await provider.prepare({
        runId: id,
        spec: stepSpec,
        stepwise: true,
        env: { STEP_SECRET: 'from-the-host' },
        onProgress: (m) => lines.push(m),
      });
      steps.push({ incomplete: handle.incomplete === true, lines });
      if (!handle.incomplete) break;
    }
    expect(steps.map((s) => s.incomplete)).toEqual([true, true, true, false]);
    expect(steps[0]!.lines.join('\n')).toContain('created container');
    expect(steps[1]!.lines.join('\n')).toContain('cloning');
    expect(steps[2]!.lines).toContain('first');
    expect(steps[3]!.lines).toContain('second');
    expect(steps[3]!.lines).toContain('environment ready');
    expect(await containersOfRun(id)).toHaveLength(1);
    // Variables given for setup only never reach the container's configuration.
    const info = await docker.getContainer(containerName(id)).inspect();
    expect(info.Config.Env.join('\n')).not.toContain('STEP_SECRET');
  });

  test('setup commands see the variables given for setup', async () => {
    const id = runId('stepwise-env');
    let handle;
    const lines: string[] = [];
    do {
      handle = await provider.prepare({
        runId: id,
        spec: spec({ setupCommands: ['echo "token=$STEP_SECRET"'] }),
        stepwise: true,
        env: { STEP_SECRET: 'from-the-host' },
        onProgress: (m) => lines.push(m),
      });
    } while (handle.incomplete);
    expect(lines).toContain('token=from-the-host');
  });
});

describe('the run user', () => {
  test('without an ambit user the run falls back to nobody, with a writable home and workspace', async () => {
    const handle = await provider.prepare({
      runId: runId('nobody'),
      spec: { image: nobodyImage, setupCommands: ['echo from-setup > setup.txt; touch "$HOME/.profile"'] },
    });
    const r = await sh(handle, 'id -un; echo "$HOME"; stat -c %U setup.txt "$HOME/.profile" /workspace');
    expect(r.stdout).toBe('nobody\n/.ambit/home\nnobody\nnobody\nnobody\n');
    await provider.writeFile(handle, 'by-tool.txt', 'x');
    expect((await sh(handle, 'stat -c %U by-tool.txt')).stdout).toBe('nobody\n');
  });

  test('spec.user picks the user, root included', async () => {
    const handle = await provider.prepare({ runId: runId('as-root'), spec: spec({ user: 'root' }) });
    expect((await sh(handle, 'id -un; echo "$HOME"')).stdout).toBe('root\n/root\n');
  });
});

describe('exec', () => {
  let handle: EnvironmentHandle;
  beforeAll(async () => {
    handle = await provider.prepare({ runId: runId('exec'), spec: spec({ setupCommands: ['mkdir -p sub/dir'] }) });
  });

  test('reports exit codes and stderr, honours cwd and per-call env', async () => {
    const r = await provider.exec(handle, 'pwd; echo "$FOO"; echo oops >&2; exit 3', {
      cwd: 'sub/dir',
      env: { FOO: 'bar' },
      timeoutMs: 10_000,
      outputCapBytes: 4096,
    });
    expect(r).toEqual({
      exitCode: 3,
      stdout: '/workspace/sub/dir\nbar\n',
      stderr: 'oops\n',
      timedOut: false,
      truncated: false,
    });
  });

  test('a timeout kills the command and everything it started', async () => {
    const started = Date.now();
    const r = await provider.exec(handle, 'sleep 41 & sleep 42; echo never', { timeoutMs: 700, outputCapBytes: 4096 });
    expect(r).toMatchObject({ exitCode: null, timedOut: true, stdout: '' });
    expect(Date.now() - started).toBeLessThan(6_000);
    const ps = await sh(handle, 'ps -o args');
    expect(ps.stdout).not.toMatch(/sleep 4[12]/);
  });

  test('output beyond the cap is dropped and flagged', async () => {
    const r = await provider.exec(handle, 'yes 0123456789 | head -c 200000; echo done >&2', {
      timeoutMs: 10_000,
      outputCapBytes: 1000,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toHaveLength(1000);
    expect(r.stderr).toBe('done\n');
    expect(r.truncated).toBe(true);
  });

  test('the abort signal kills a running command', async () => {
    const controller = new AbortController();
    const chunks: string[] = [];
    setTimeout(() => controller.abort(), 500);
    const r = await provider.exec(handle, 'echo started; sleep 43', {
      timeoutMs: 30_000,
      outputCapBytes: 4096,
      signal: controller.signal,
      onOutput: (chunk) => chunks.push(chunk),
    });
    expect(r).toMatchObject({ exitCode: null, timedOut: false, stdout: 'started\n' });
    expect(chunks.join('')).toBe('started\n');
    expect((await sh(handle, 'ps -o args')).stdout).not.toContain('sleep 43');
  });

  test('a cwd outside the workspace is refused', async () => {
    await expect(provider.exec(handle, 'ls', { cwd: '../etc', timeoutMs: 1000, outputCapBytes: 10 })).rejects.toThrow(
      EnvironmentPathError,
    );
  });
});

describe('files', () => {
  let handle: EnvironmentHandle;
  beforeAll(async () => {
    handle = await provider.prepare({
      runId: runId('files'),
      spec: spec({ repositories: [{ url: repoUrl }], setupCommands: ['ln -s origin.git link; mkdir empty'] }),
    });
  });

  test('write then read, creating folders, as the run user; binary content survives', async () => {
    await provider.writeFile(handle, 'notes/deep/a.txt', 'first line\nsecond\n');
    expect((await provider.readFile(handle, 'notes/deep/a.txt')).toString()).toBe('first line\nsecond\n');
    const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);
    await provider.writeFile(handle, 'bin.dat', bytes);
    expect(Buffer.compare(await provider.readFile(handle, 'bin.dat'), bytes)).toBe(0);
    await provider.writeFile(handle, 'notes/deep/a.txt', 'replaced');
    expect((await provider.readFile(handle, 'notes/deep/a.txt')).toString()).toBe('replaced');
    expect((await sh(handle, 'stat -c %U notes/deep/a.txt notes')).stdout).toBe('ambit\nambit\n');
  });

  test('lists like the workspace provider: by name, depth first, not inside .git', async () => {
    const all = await provider.listFiles(handle, '.', { recursive: true, limit: 100 });
    expect(all).toEqual([
      { path: 'bin.dat', type: 'file', size: 8 },
      { path: 'empty', type: 'directory', size: 0 },
      { path: 'link', type: 'symlink', size: 10 },
      { path: 'notes', type: 'directory', size: 0 },
      { path: 'notes/deep', type: 'directory', size: 0 },
      { path: 'notes/deep/a.txt', type: 'file', size: 8 },
      { path: 'origin', type: 'directory', size: 0 },
      { path: 'origin/.git', type: 'directory', size: 0 },
      { path: 'origin/README.md', type: 'file', size: 15 },
    ]);
    expect(await provider.listFiles(handle, 'notes', { recursive: false, limit: 100 })).toEqual([
      { path: 'notes/deep', type: 'directory', size: 0 },
    ]);
    expect(await provider.listFiles(handle, '.', { recursive: true, limit: 3 })).toHaveLength(3);
  });

  test('missing paths, folders and files-as-folders fail with the codes the tools expect', async () => {
    await expect(provider.readFile(handle, 'nope.txt')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(provider.readFile(handle, 'notes')).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(provider.listFiles(handle, 'nope', { recursive: false, limit: 10 })).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await expect(provider.listFiles(handle, 'bin.dat', { recursive: false, limit: 10 })).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
    await expect(provider.writeFile(handle, 'bin.dat/x', 'no')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(provider.writeFile(handle, 'bin.dat/deeper/x', 'no')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(provider.writeFile(handle, 'notes', 'no')).rejects.toMatchObject({ code: 'EISDIR' });
  });

  test('the run user cannot write where the image does not let it', async () => {
    await asRoot(handle.id, 'mkdir -p /workspace/locked');
    await expect(provider.writeFile(handle, 'locked/x.txt', 'no')).rejects.toMatchObject({ code: 'EACCES' });
  });

  test('paths outside the workspace are refused, also through the built-in tools', async () => {
    for (const p of ['../etc/passwd', '/etc/passwd', 'notes/../../etc/passwd']) {
      await expect(provider.readFile(handle, p)).rejects.toThrow(EnvironmentPathError);
      await expect(provider.writeFile(handle, p, 'x')).rejects.toThrow(EnvironmentPathError);
      await expect(provider.listFiles(handle, p, { recursive: false, limit: 1 })).rejects.toThrow(EnvironmentPathError);
    }
    const outcome = await executeBuiltinTool('read_file', { path: '../etc/passwd' }, { provider, handle });
    expect(outcome).toEqual({ state: 'failed', output: { error: 'path ../etc/passwd is outside the workspace' } });
    const missing = await executeBuiltinTool('read_file', { path: 'nope.txt' }, { provider, handle });
    expect(missing).toEqual({ state: 'failed', output: { error: 'no such file or directory: nope.txt' } });
    const edited = await executeBuiltinTool(
      'edit_file',
      { path: 'origin/README.md', old_string: 'line two', new_string: 'line 2' },
      { provider, handle },
    );
    expect(edited.state).toBe('completed');
    expect((await provider.readFile(handle, 'origin/README.md')).toString()).toBe('# app\nline 2\n');
  });
});

describe('teardown', () => {
  test('destroy removes the container and its volume, and succeeds when they are gone', async () => {
    const id = runId('destroy');
    const handle = await provider.prepare({ runId: id, spec: spec() });
    await provider.writeFile(handle, 'data.txt', 'x');
    await provider.destroy(handle);
    expect(await containersOfRun(id)).toHaveLength(0);
    await expect(docker.getVolume(volumeName(id)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(provider.destroy(handle)).resolves.toBeUndefined();
    expect(await provider.attach(handle)).toBeNull();
  });

  test('attach restarts a stopped container with its workspace intact', async () => {
    const id = runId('restart');
    const handle = await provider.prepare({ runId: id, spec: spec() });
    await provider.writeFile(handle, 'kept.txt', 'still here');
    await docker.getContainer(containerName(id)).stop({ t: 5 });
    const again = await new DockerProvider({ docker }).attach(handle);
    expect(again).toEqual(handle);
    expect((await provider.readFile(handle, 'kept.txt')).toString()).toBe('still here');
  });

  test('the reaper removes containers and volumes of runs that are not active, and keeps the others', async () => {
    const active = runId('reap-active');
    const unknown = runId('reap-unknown');
    const orphanVolume = runId('reap-volume');
    await provider.prepare({ runId: active, spec: spec() });
    await provider.prepare({ runId: unknown, spec: spec() });
    await docker.createVolume({
      Name: volumeName(orphanVolume),
      Labels: { [LABEL_MANAGED]: 'true', [LABEL_RUN_ID]: orphanVolume },
    });
    const asked: string[] = [];
    // Runs of other suites sharing the engine count as active: only this test's unknown runs may go.
    const result = await reapContainers({
      docker,
      isRunActive: (id) => {
        asked.push(id);
        return Promise.resolve(id !== unknown && id !== orphanVolume);
      },
    });
    expect(result.failed).toEqual([]);
    expect(result.removed.sort()).toEqual([orphanVolume, unknown].sort());
    expect(asked).toEqual(expect.arrayContaining([active, unknown, orphanVolume]));
    expect(await containersOfRun(unknown)).toHaveLength(0);
    await expect(docker.getVolume(volumeName(unknown)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getVolume(volumeName(orphanVolume)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await containersOfRun(active)).toHaveLength(1);
  });
});

/** Runs whose environment is a Docker image, on the real engine: provisioning, tools inside, failures, no leaks. */
import type Docker from 'dockerode';
import { LABEL_RUN_ID } from '../../activities/environment/docker';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { BUSYBOX_IMAGE, connectDocker, ensureTestImages, managedResources } from '../helpers/docker';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

describe('runs in Docker environments', () => {
  let docker: Docker;
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  const runIds: string[] = [];

  const containersOf = async (runId: string) =>
    (await docker.listContainers({ all: true, filters: { label: [`${LABEL_RUN_ID}=${runId}`] } })).length;

  const createEnvironment = async (name: string, setup: string[]) => {
    const r = await platform.request('POST', '/environments', {
      name,
      docker_image: BUSYBOX_IMAGE,
      setup_commands: setup,
      env: { GREETING: 'hello-env' },
    });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const start = async (body: Record<string, unknown>) => {
    const r = await platform.request('POST', '/agent/runs', body);
    expect(r.status).toBe(200);
    runIds.push(r.body.run_id);
    return r.body.run_id as string;
  };

  beforeAll(async () => {
    docker = await connectDocker();
    await ensureTestImages(docker);
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: {
        OPENAI_COMPATIBLE_BASE_URL: models.url,
        AMBIT_DEFAULT_MODEL: 'openai-compatible/m',
        AMBIT_DOCKER: 'on',
        ...(process.env['DOCKER_HOST'] ? { DOCKER_HOST: process.env['DOCKER_HOST'] } : {}),
      },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
  });

  test('setup commands and variables reach the container; tools run inside it as the run user; teardown removes it', async () => {
    const envId = await createEnvironment('busybox-ok', ['echo setup-ran > /workspace/setup.txt']);
    models.addScript('docker-ok', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: 'cat setup.txt; echo $GREETING; id -un; pwd' } }] },
      { text: 'inspected the container' },
    ]);
    const runId = await start({ prompt: 'look around [script:docker-ok]', config: { environment_id: envId } });
    const run = await platform.waitForState(runId, TERMINAL, 90_000);
    expect(run.state).toBe('SUCCEEDED');
    const call = await platform.database.db.toolCall.findFirstOrThrow({ where: { runId } });
    expect(call.output).toMatchObject({ exit_code: 0, stdout: 'setup-ran\nhello-env\nambit\n/workspace\n' });
    expect(await containersOf(runId)).toBe(0);
  });

  test('a second run of the same environment starts warm from its snapshot and skips setup', async () => {
    const envId = await createEnvironment('busybox-warm', ['echo warm-$(date +%s%N) > /workspace/setup.txt']);
    models.addScript('docker-warm', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: 'cat setup.txt' } }] },
      { text: 'read it' },
    ]);
    const stdoutOf = async (runId: string) =>
      ((await platform.database.db.toolCall.findFirstOrThrow({ where: { runId } })).output as { stdout: string })
        .stdout;
    const snapshotOf = async (runId: string) => {
      const events = await platform.database.db.runEvent.findMany({ where: { runId, type: 'log' } });
      return events.map((e) => (e.data as { snapshot?: { reused: boolean; key: string } }).snapshot).find(Boolean);
    };
    const cold = await start({ prompt: 'cold [script:docker-warm]', config: { environment_id: envId } });
    expect((await platform.waitForState(cold, TERMINAL, 90_000)).state).toBe('SUCCEEDED');
    const warm = await start({ prompt: 'warm [script:docker-warm]', config: { environment_id: envId } });
    expect((await platform.waitForState(warm, TERMINAL, 90_000)).state).toBe('SUCCEEDED');
    // The warm run sees the file the cold run's setup wrote: setup did not run again.
    expect(await stdoutOf(warm)).toBe(await stdoutOf(cold));
    expect(await snapshotOf(cold)).toMatchObject({ reused: false });
    expect(await snapshotOf(warm)).toMatchObject({ reused: true, key: (await snapshotOf(cold))!.key });
  });

  test('a failing setup command ends the run FAILED with environment_setup_failed naming it, and marks the environment', async () => {
    const envId = await createEnvironment('busybox-broken', ['echo preparing', 'echo about to fail >&2; exit 3']);
    const runId = await start({ prompt: 'never gets to run', config: { environment_id: envId } });
    const run = await platform.waitForState(runId, TERMINAL, 90_000);
    expect(run.state).toBe('FAILED');
    expect(run.status_message.error_code).toBe('environment_setup_failed');
    expect(run.status_message.message).toContain('exit 3');
    expect(run.status_message.message).toContain('about to fail');
    expect((await platform.request('GET', `/environments/${envId}`)).body.setup_failed).toBe(true);
    expect(await containersOf(runId)).toBe(0);
  });

  test('cancelling during setup stops it and removes the container', async () => {
    const envId = await createEnvironment('busybox-slow', ['sleep 120']);
    const runId = await start({ prompt: 'slow setup', config: { environment_id: envId } });
    for (let i = 0; i < 300 && (await containersOf(runId)) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await containersOf(runId)).toBe(1);
    expect((await platform.request('POST', `/agent/runs/${runId}/cancel`)).status).toBe(200);
    const run = await platform.waitForState(runId, TERMINAL, 90_000);
    expect(run.state).toBe('CANCELLED');
    expect(await containersOf(runId)).toBe(0);
  });

  test('no container or volume of these runs is left', async () => {
    const left = await managedResources(docker);
    const ours = (name: string) => runIds.some((id) => name.includes(id));
    expect(left.containers.filter(ours)).toEqual([]);
    expect(left.volumes.filter(ours)).toEqual([]);
  });
});

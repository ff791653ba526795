/**
 * A host worker (its own process, no database) SIGKILLed in the middle of a setup command, on the real engine: the
 * run's provisioning step is retried by the restarted worker, which finds the same container (named after the run)
 * and resumes after the last finished step, and the run completes.
 */
import type Docker from 'dockerode';
import { LABEL_RUN_ID } from '../../activities/environment/docker';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { BUSYBOX_IMAGE, connectDocker, ensureTestImages } from '../helpers/docker';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

describe('a host worker killed during setup', () => {
  let docker: Docker;
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  const hosts: WorkerProcess[] = [];

  const startHost = async (hostId = 'crashy', env: Record<string, string> = {}) => {
    const { DATABASE_URL: _omitted, ...withoutDatabase } = platform.env;
    const host = await startWorkerProcess({
      ...withoutDatabase,
      AMBIT_HOST_ID: hostId,
      AMBIT_WORKER_PLATFORM: 'false',
      AMBIT_DOCKER: 'on',
      AMBIT_SNAPSHOTS: 'false',
      DOCKER_HOST: process.env['DOCKER_HOST'] ?? '',
      ...env,
    });
    hosts.push(host);
    return host;
  };
  const containersOf = async (runId: string) =>
    docker.listContainers({ all: true, filters: { label: [`${LABEL_RUN_ID}=${runId}`] } });
  const execIn = async (containerId: string, command: string) => {
    const exec = await docker.getContainer(containerId).exec({ Cmd: ['/bin/sh', '-c', command], User: '0' });
    const stream = await exec.start({});
    await new Promise((resolve) => {
      stream.on('end', resolve);
      stream.resume();
    });
    return (await exec.inspect()).ExitCode;
  };
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 900; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting until ${what}`);
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
        DOCKER_HOST: process.env['DOCKER_HOST'] ?? '',
      },
    });
  });
  afterAll(async () => {
    for (const h of hosts) await h.kill().catch(() => undefined);
    await platform?.stop();
    await models?.close();
  });

  test('after a restart there is still one container, setup resumes, and the run completes', async () => {
    const env = await platform.request('POST', '/environments', {
      name: 'slow-setup',
      docker_image: BUSYBOX_IMAGE,
      setup_commands: [
        'echo step-one-ran',
        'touch /workspace/.started; while [ ! -e /workspace/.go ]; do sleep 0.1; done; echo step-two-ran',
      ],
    });
    expect(env.status).toBe(201);
    models.addScript('crash', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: 'hostname; ls -a /workspace' } }] },
      { text: 'set up' },
    ]);
    const first = await startHost();
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'survive a crash [script:crash]',
      config: { environment_id: env.body.id, worker_host: 'crashy' },
    });
    const runId = created.body.run_id as string;

    // The second setup command is running inside the container ...
    let containerId = '';
    await until('the second setup command runs', async () => {
      const [c] = await containersOf(runId);
      if (!c) return false;
      containerId = c.Id;
      return (await execIn(c.Id, 'test -e /workspace/.started')) === 0;
    });
    // ... and the first one's output is already in the run's events, recorded by the platform between steps.
    const messages = async () =>
      (await platform.database.db.runEvent.findMany({ where: { runId, type: 'log' }, orderBy: { id: 'asc' } })).map(
        (e) => (e.data as { message?: string }).message,
      );
    expect(await messages()).toContain('step-one-ran');
    expect((await platform.request('GET', `/agent/runs/${runId}`)).body.state).toBe('PENDING');

    await first.kill();
    await execIn(containerId, 'touch /workspace/.go');
    await startHost();

    const run = await platform.waitForState(runId, TERMINAL, 180_000);
    expect(run.state).toBe('SUCCEEDED');
    const call = await platform.database.db.toolCall.findFirstOrThrow({ where: { runId } });
    const stdout = (call.output as { stdout: string }).stdout;
    // The agent worked in the container created before the crash: its host name is that container's id.
    expect(containerId.startsWith(stdout.split('\n')[0] ?? '-')).toBe(true);
    expect(stdout).toContain('.started');
    const logged = await messages();
    expect(logged.filter((m) => m === 'step-one-ran')).toHaveLength(1);
    expect(logged).toContain('step-two-ran');
    expect(await containersOf(runId)).toHaveLength(0);
  });

  test("a run that names no environment gets the host's default image, with the host's limits", async () => {
    await startHost('imaged', {
      AMBIT_HOST_DEFAULT_IMAGE: BUSYBOX_IMAGE,
      AMBIT_HOST_MEMORY_MB: '96',
      AMBIT_HOST_PIDS: '64',
      AMBIT_HOST_NETWORK: 'none',
    });
    models.addScript('imaged', [
      {
        toolCalls: [
          {
            name: 'run_shell_command',
            input: {
              command:
                'pwd; cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; ' +
                'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; ls /sys/class/net',
            },
          },
        ],
      },
      { text: 'inspected' },
    ]);
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'where am I [script:imaged]',
      config: { worker_host: 'imaged' },
    });
    const runId = created.body.run_id as string;
    expect((await platform.waitForState(runId, TERMINAL, 120_000)).state).toBe('SUCCEEDED');
    const call = await platform.database.db.toolCall.findFirstOrThrow({ where: { runId } });
    expect((call.output as { stdout: string }).stdout.split('\n').filter(Boolean)).toEqual([
      '/workspace',
      String(96 * 1024 * 1024),
      '64',
      'lo',
    ]);
    expect(await containersOf(runId)).toHaveLength(0);
  });
});

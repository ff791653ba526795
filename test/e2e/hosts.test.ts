/**
 * Self-hosted execution hosts: host workers started as their own processes with only the Temporal address (no
 * database), runs routed to them by config.worker_host, runs waiting QUEUED for an absent or full host, and the host
 * registry behind GET /hosts and `ambit hosts list`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const BIN = path.resolve(__dirname, '../../bin/ambit.js');
const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

describe('host workers', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  const hosts: WorkerProcess[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-hosts-'));

  /** A host-only worker process with the platform's Temporal settings and nothing else: no DATABASE_URL. */
  const startHost = async (hostId: string, options: { env?: Record<string, string>; cliFlags?: string[] } = {}) => {
    const dataDir = fs.mkdtempSync(path.join(tmp, `${hostId}-`));
    const { DATABASE_URL: _omitted, ...withoutDatabase } = platform.env;
    const env = { ...withoutDatabase, AMBIT_DATA_DIR: dataDir, ...options.env };
    // Through the CLI (`ambit worker --host`) when flags are given, else the worker entry point directly.
    const host = options.cliFlags
      ? await startWorkerProcess(env, 60_000, [BIN, 'worker', '--host', hostId, ...options.cliFlags])
      : await startWorkerProcess({ ...env, AMBIT_HOST_ID: hostId, AMBIT_WORKER_PLATFORM: 'false' });
    hosts.push(host);
    return { host, dataDir };
  };

  /** Waits until the run's workflow has `activity` pending (scheduled on a queue, or between retries). */
  const waitForPendingActivity = async (runId: string, activity: string, minAttempt = 1) => {
    for (let i = 0; i < 600; i++) {
      const described = await platform.client.workflow.getHandle(runId).describe();
      const pending = described.raw.pendingActivities?.find((a) => a.activityType?.name === activity);
      if (pending && (pending.attempt ?? 1) >= minAttempt) return pending;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`run ${runId} never had ${activity} pending (attempt >= ${minAttempt})`);
  };

  const hostsList = async () => {
    const r = await platform.request('GET', '/hosts');
    expect(r.status).toBe(200);
    return r.body.hosts as {
      id: string;
      live: boolean;
      capacity: number;
      running_runs: number;
      run_ids: string[];
      at_capacity: boolean;
      last_seen: string;
      workers: number;
    }[];
  };
  const waitForHost = async (id: string, check: (h: Awaited<ReturnType<typeof hostsList>>[number]) => boolean) => {
    let last;
    for (let i = 0; i < 600; i++) {
      last = (await hostsList()).find((h) => h.id === id);
      if (last && check(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`host ${id} never matched; last: ${JSON.stringify(last)}`);
  };

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m', AMBIT_DOCKER: 'off' },
    });
  });
  afterAll(async () => {
    for (const h of hosts) await h.kill().catch(() => undefined);
    await platform?.stop();
    await models?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('a host worker without a database executes the runs routed to it; others stay on the default host', async () => {
    const { host: edge, dataDir: edgeDir } = await startHost('edge-1');
    expect(edge.output()).toContain(`${platform.config.temporal.taskQueuePrefix}-host-edge-1`);
    // A host-only worker does not serve the platform queue.
    expect(edge.output()).not.toContain(`${platform.config.temporal.taskQueuePrefix}-runs`);

    models.addScript('where', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: 'pwd' } }] },
      { text: 'here' },
    ]);
    const onEdge = await platform.request('POST', '/agent/runs', {
      prompt: 'where am I [script:where]',
      config: { worker_host: 'edge-1' },
    });
    const onDefault = await platform.request('POST', '/agent/runs', { prompt: 'and me [script:where]' });
    for (const r of [onEdge, onDefault])
      expect((await platform.waitForState(r.body.run_id, TERMINAL)).state).toBe('SUCCEEDED');

    const pwdOf = async (runId: string) =>
      (
        (await platform.database.db.toolCall.findFirstOrThrow({ where: { runId } })).output as { stdout: string }
      ).stdout.trim();
    expect(await pwdOf(onEdge.body.run_id)).toBe(path.join(edgeDir, 'workspaces', onEdge.body.run_id));
    expect(await pwdOf(onDefault.body.run_id)).toBe(path.join(platform.dataDir, 'workspaces', onDefault.body.run_id));
    const edgeRun = await platform.request('GET', `/agent/runs/${onEdge.body.run_id}`);
    expect(edgeRun.body.agent_config.worker_host).toBe('edge-1');
    // What provisioning printed on the host reached the run's events through the platform.
    const logs = await platform.database.db.runEvent.findMany({ where: { runId: onEdge.body.run_id, type: 'log' } });
    expect(logs.map((e) => (e.data as { message?: string }).message)).toContain(
      `workspace ready at ${path.join(edgeDir, 'workspaces', onEdge.body.run_id)}`,
    );
    // Any use of the database on the host would have thrown there.
    expect(edge.output()).not.toContain('host worker without a database');

    // Ctrl-C stops the host worker cleanly, and the registry lists it offline right away.
    const exited = new Promise<number | null>((resolve) => edge.child.once('exit', (code) => resolve(code)));
    edge.child.kill('SIGINT');
    expect(await exited).toBe(0);
    const offline = await waitForHost('edge-1', (h) => !h.live);
    expect(offline).toMatchObject({ live: false, running_runs: 0, workers: 0 });
  });

  test('a run for a host without a live worker stays QUEUED and starts when one connects', async () => {
    models.addScript('late', [{ text: 'finally' }]);
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'wait for your host [script:late]',
      config: { worker_host: 'late-1' },
    });
    expect(created.status).toBe(200);
    const runId = created.body.run_id as string;
    // The workflow has resolved the run's config and handed it to the host's queue, where no worker polls.
    await waitForPendingActivity(runId, 'acceptRun');
    expect((await platform.request('GET', `/agent/runs/${runId}`)).body.state).toBe('QUEUED');
    expect((await hostsList()).map((h) => h.id)).not.toContain('late-1');

    await startHost('late-1');
    expect((await platform.waitForState(runId, TERMINAL)).state).toBe('SUCCEEDED');
    const states = (
      await platform.database.db.runEvent.findMany({
        where: { runId, type: 'state_changed' },
        orderBy: { id: 'asc' },
      })
    ).map((e) => (e.data as { state: string }).state);
    expect(states).toEqual(['QUEUED', 'PENDING', 'CLAIMED', 'INPROGRESS', 'SUCCEEDED']);
    expect(await waitForHost('late-1', (h) => h.live)).toMatchObject({ live: true, workers: 1 });
  });

  test('a run cancelled while it waits for its host ends CANCELLED without the host', async () => {
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'never mind',
      config: { worker_host: 'nobody-home' },
    });
    const runId = created.body.run_id as string;
    await waitForPendingActivity(runId, 'acceptRun');
    expect((await platform.request('POST', `/agent/runs/${runId}/cancel`)).status).toBe(200);
    const run = await platform.waitForState(runId, TERMINAL);
    expect(run.state).toBe('CANCELLED');
    // Nothing was scheduled on the absent host after the cancellation (no cleanup waits for it).
    const described = await platform.client.workflow.getHandle(runId).describe();
    expect(described.status.name).toBe('COMPLETED');
  });

  test('a host at capacity keeps the next run QUEUED (at_capacity: true) and starts it when the first ends', async () => {
    const gate = path.join(tmp, 'cap-gate');
    await startHost('cap-1', { cliFlags: ['--max-concurrent-runs', '1'] });
    await waitForHost('cap-1', (h) => h.live && h.capacity === 1);
    models.addScript('hold', [
      {
        toolCalls: [
          {
            name: 'run_shell_command',
            input: { command: `while [ ! -e ${gate} ]; do sleep 0.1; done; echo released` },
          },
        ],
      },
      { text: 'released' },
    ]);
    models.addScript('next', [{ text: 'my turn' }]);

    const first = await platform.request('POST', '/agent/runs', {
      prompt: 'hold the host [script:hold]',
      config: { worker_host: 'cap-1' },
    });
    expect(first.body.at_capacity).toBe(false);
    const firstId = first.body.run_id as string;
    await platform.waitForState(firstId, ['INPROGRESS']);
    const full = await waitForHost('cap-1', (h) => h.running_runs === 1);
    expect(full).toMatchObject({ capacity: 1, run_ids: [firstId], at_capacity: true, live: true });

    const second = await platform.request('POST', '/agent/runs', {
      prompt: 'then me [script:next]',
      config: { worker_host: 'cap-1' },
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ state: 'QUEUED', at_capacity: true });
    const secondId = second.body.run_id as string;
    // The host refused it at least once (its one slot is taken), and it still waits.
    const refused = await waitForPendingActivity(secondId, 'acceptRun', 2);
    expect(refused.lastFailure?.message).toContain('capacity');
    expect((await platform.request('GET', `/agent/runs/${secondId}`)).body.state).toBe('QUEUED');

    // `ambit hosts list` shows the same.
    const cli = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'hosts', 'list'], {
        env: { PATH: process.env['PATH'] ?? '', AMBIT_API_URL: platform.api.url, AMBIT_API_KEY: platform.apiKey },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      c.on('close', (code) => resolve({ code, stdout }));
    });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/cap-1\s+live \(full\)\s+1\s+1\s+1/);

    fs.writeFileSync(gate, '');
    expect((await platform.waitForState(firstId, TERMINAL)).state).toBe('SUCCEEDED');
    expect((await platform.waitForState(secondId, TERMINAL, 90_000)).state).toBe('SUCCEEDED');
    await waitForHost('cap-1', (h) => h.running_runs === 0 && !h.at_capacity);
  });

  test('GET /hosts needs an API key', async () => {
    const r = await fetch(`${platform.api.url}/api/v1/hosts`);
    expect(r.status).toBe(401);
  });

  test('the worker behind `ambit worker` stops when the wrapper is SIGKILLed, instead of living on', async () => {
    const { host } = await startHost('orphan-check', { cliFlags: [] });
    const wrapper = host.child.pid!;
    const children = () =>
      fs
        .readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            return fs.readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(wrapper);
          } catch {
            return false;
          }
        })
        .map(Number);
    const [worker] = children();
    expect(worker).toBeDefined();
    process.kill(wrapper, 'SIGKILL');
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 300 && alive(worker!); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(worker!)).toBe(false);
  });

  test('bad flags are usage errors naming the flag', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'worker', '--host', 'not a host!'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      c.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--host');
  });
});

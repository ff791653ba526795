/**
 * The leak scan. Real runs (real Temporal, PostgreSQL, workers and API; only the model provider is a scripted local
 * server) whose agent prints, echoes, encodes and writes its secrets through shell commands, and whose model even
 * repeats a value. Afterwards every place a value could land is searched for each value and each of its encodings:
 * every table of the database (raw SQL), the runs' Temporal histories (fetched with the client), the captured logs
 * of the API and the worker, and every API response the test received. Zero hits are allowed — and the secrets must
 * have reached the environment: the sha256 of each value, computed inside it, is in the output.
 */
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import type { NativeConnection } from '@temporalio/worker';
import { startApiServer, type ApiServer } from '../../src/api/server';
import { createLogger } from '../../src/logger';
import { rotateMasterKey } from '../../src/secrets';
import { buildActivityDeps } from '../../workers/build-deps';
import { startWorkers, type RunningWorkers } from '../../workers/run-worker';
import { createTeam, type TeamKeys } from '../api/helpers';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { BUSYBOX_IMAGE, connectDocker, ensureTestImages } from '../helpers/docker';
import { startTestPlatform, workflowBundle, type TestPlatform } from '../helpers/platform';
import { connectWorker } from '../helpers/temporal';

const MASTER = crypto.randomBytes(32);
const sha256 = (v: string) => crypto.createHash('sha256').update(v).digest('hex');
/** Characters that make every encoding differ from the plain value (spaces, +, /, =, &, %, quotes). */
const newValue = (label: string) =>
  `${label}-${crypto.randomBytes(9).toString('base64')}/+= &%"q ${crypto.randomBytes(6).toString('hex')}`;

/** The plain value and every encoding a command below produces of it. */
function encodings(value: string): Record<string, string> {
  const raw = Buffer.from(value);
  return {
    plain: value,
    base64: raw.toString('base64'),
    base64url: raw.toString('base64url'),
    // `printf 'ab%s' | base64`: the value two bytes into a 3-byte group; the characters that depend on it alone.
    base64Shifted: Buffer.concat([Buffer.from('ab'), raw])
      .toString('base64')
      .slice(3, Math.floor(((2 + raw.length) * 8) / 6)),
    url: encodeURIComponent(value),
    hex: raw.toString('hex'),
    json: JSON.stringify(value).slice(1, -1),
  };
}

function textOf(value: unknown, out: string[] = [], seen = new Set<unknown>()): string[] {
  if (value === null || value === undefined) return out;
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean')
    out.push(String(value));
  else if (value instanceof Date) out.push(value.toISOString());
  else if (typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    // Long objects (protobuf Longs) and maps: walk every own property and key.
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out.push(k);
      textOf(v, out, seen);
    }
  }
  return out;
}

describe('no secret leaks', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let api: ApiServer;
  let workers: RunningWorkers;
  let workerConnection: NativeConnection;
  let team: TeamKeys;
  let logs = '';
  const responses: string[] = [];
  const values = {
    LEAK_TOKEN: newValue('team'),
    PERSONAL_TOKEN: newValue('personal'),
    MODEL_KEY: `sk-${crypto.randomBytes(16).toString('hex')}`,
  };

  const call = async (key: string, method: string, route: string, body?: unknown) => {
    const res = await fetch(`${api.url}/api/v1${route}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    responses.push(text);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const events = async (key: string, runId: string) => {
    const abort = AbortSignal.timeout(5_000);
    const res = await fetch(`${api.url}/api/v1/agent/runs/${runId}/events`, {
      headers: { authorization: `Bearer ${key}` },
      signal: abort,
    });
    let text = '';
    try {
      text = await res.text();
    } catch {
      // the stream of an ended run closes by itself; a timeout keeps what arrived
    }
    responses.push(text);
    return text;
  };
  const waitForEnd = async (key: string, runId: string) => {
    for (let i = 0; i < 600; i++) {
      const r = await call(key, 'GET', `/agent/runs/${runId}`);
      if (['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'].includes(r.body.state)) return r.body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`run ${runId} did not end`);
  };

  beforeAll(async () => {
    await ensureTestImages(await connectDocker());
    models = await startScriptedModelServer({ apiKey: values.MODEL_KEY });
    platform = await startTestPlatform({
      worker: false,
      env: {
        AMBIT_MASTER_KEY: MASTER.toString('base64'),
        OPENAI_COMPATIBLE_BASE_URL: models.url,
        // The model provider's key is a team secret, used by reference.
        OPENAI_COMPATIBLE_API_KEY: 'secret:MODEL_KEY',
        AMBIT_DEFAULT_MODEL: 'openai-compatible/scripted-1',
        AMBIT_DOCKER: 'on',
        ...(process.env['DOCKER_HOST'] ? { DOCKER_HOST: process.env['DOCKER_HOST'] } : {}),
        LOG_LEVEL: 'warn',
      },
    });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ logLevel: 'trace' }, 'leak-scan', sink);
    api = await startApiServer({
      db: platform.database.db,
      temporal: platform.client,
      config: platform.config,
      logger,
      port: 0,
      host: '127.0.0.1',
    });
    workerConnection = await connectWorker();
    workers = await startWorkers({
      config: platform.config,
      connection: workerConnection,
      deps: buildActivityDeps(platform.config, logger, platform.database.db),
      platform: true,
      hostId: platform.config.worker.hostId,
      workflowBundle: await workflowBundle(),
      reportHost: false,
    });
    team = await createTeam(platform.database.db, 'leak');
    expect((await call(team.admin, 'POST', '/secrets', { name: 'LEAK_TOKEN', value: values.LEAK_TOKEN })).status).toBe(
      201,
    );
    expect((await call(team.admin, 'POST', '/secrets', { name: 'MODEL_KEY', value: values.MODEL_KEY })).status).toBe(
      201,
    );
    const personal = await call(team.member, 'POST', '/secrets', {
      name: 'PERSONAL_TOKEN',
      value: values.PERSONAL_TOKEN,
      scope: 'User',
    });
    expect(personal.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await workers?.shutdown().catch(() => undefined);
    await workerConnection?.close().catch(() => undefined);
    await api?.close();
    await platform?.stop();
    await models?.close();
  });

  const shell = (command: string) => ({ name: 'run_shell_command', input: { command } });

  test('a run that prints, encodes and writes its secrets leaves no trace of them anywhere', async () => {
    const leak = values.LEAK_TOKEN;
    models.addScript('leak', [
      {
        toolCalls: [
          shell('echo "plain=$LEAK_TOKEN personal=$PERSONAL_TOKEN"; echo "err=$LEAK_TOKEN" >&2'),
          shell(
            'printf %s "$LEAK_TOKEN" | base64 -w0; echo; printf "ab%s" "$LEAK_TOKEN" | base64 -w0; echo; ' +
              'printf %s "$PERSONAL_TOKEN" | base64 -w0; echo; printf %s "$MODEL_KEY" | base64 -w0',
          ),
          shell(
            `node -e 'const v = process.env.LEAK_TOKEN; console.log(encodeURIComponent(v)); ` +
              `console.log(Buffer.from(v).toString("hex")); console.log(Buffer.from(v).toString("base64url")); ` +
              `console.log(JSON.stringify({ v, p: process.env.PERSONAL_TOKEN }))'`,
          ),
          shell(
            'printf %s "$LEAK_TOKEN" > leaked.txt && cat leaked.txt && echo && env | grep -E "LEAK_TOKEN|PERSONAL_TOKEN|MODEL_KEY"',
          ),
          shell(
            'printf %s "$LEAK_TOKEN" | sha256sum; printf %s "$PERSONAL_TOKEN" | sha256sum; printf %s "$MODEL_KEY" | sha256sum',
          ),
          shell('echo "failing with $LEAK_TOKEN" >&2; exit 3'),
        ],
      },
      // A model that somehow learned a value and repeats it, in a tool call and in its answer.
      {
        toolCalls: [
          { name: 'read_file', input: { path: 'leaked.txt' } },
          shell(`echo 'literal ${leak.replace(/'/g, '')}'`),
        ],
      },
      { text: `Done. The token is ${leak} (base64 ${Buffer.from(leak).toString('base64')}).` },
    ]);
    const created = await call(team.member, 'POST', '/agent/runs', { prompt: 'Leak everything [script:leak]' });
    expect(created.status).toBe(200);
    const runId: string = created.body.run_id;
    const run = await waitForEnd(team.member, runId);
    expect(run.state).toBe('SUCCEEDED');

    // The secrets reached the environment: their sha256, computed inside, is in the recorded output.
    const calls = await platform.database.db.toolCall.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
    const outputs = JSON.stringify(calls.map((c) => c.output));
    for (const v of Object.values(values)) expect(outputs).toContain(sha256(v));
    expect(outputs).toContain('plain=***');
    expect(calls.find((c) => JSON.stringify(c.input).includes('exit 3'))?.state).toBe('failed');
    // The model key by reference: the scripted provider accepted the team secret as the key.
    expect(models.callsFor('leak').length).toBeGreaterThanOrEqual(3);

    // Every API response about the run (and its audit trail, which names the secrets used).
    await call(team.member, 'GET', `/agent/runs/${runId}/conversation`);
    await call(team.member, 'GET', '/agent/runs');
    const audit = await call(team.admin, 'GET', `/agent/runs/${runId}/audit`);
    expect(
      audit.body.events
        .filter((e: any) => e.action === 'secret.used')
        .map((e: any) => e.data.name)
        .sort(),
    ).toEqual(['LEAK_TOKEN', 'MODEL_KEY', 'PERSONAL_TOKEN']);
    await call(team.admin, 'GET', '/secrets');
    expect(await events(team.member, runId)).toContain('tool_result');
    expect(run.status_message.message).toContain('***');

    // The Temporal history carries the sealed secrets, and nothing else of them.
    const history = await platform.client.workflow.getHandle(runId).fetchHistory();
    const historyText = textOf(history).join('\n');
    expect(historyText).toContain('ambit-sealed-v1:');

    await expectNoLeaks({ historyText });
  });

  test('a run without a user gets team secrets but never a personal one; rotation keeps secrets usable', async () => {
    models.addScript('userless', [
      { toolCalls: [shell('echo "personal=[${PERSONAL_TOKEN:-absent}]"; printf %s "$LEAK_TOKEN" | sha256sum')] },
      { text: 'ok' },
    ]);
    const userless = await call(team.team, 'POST', '/agent/runs', { prompt: 'Who am I [script:userless]' });
    const ended = await waitForEnd(team.team, userless.body.run_id);
    expect(ended.state).toBe('SUCCEEDED');
    const [out] = await platform.database.db.toolCall.findMany({ where: { runId: userless.body.run_id } });
    expect(JSON.stringify(out?.output)).toContain('personal=[absent]');
    expect(JSON.stringify(out?.output)).toContain(sha256(values.LEAK_TOKEN));

    // Rotate the master key, then restart on the new key (the worker and API read it from their configuration).
    const next = crypto.randomBytes(32);
    const rotated = await rotateMasterKey(platform.database.db, { from: MASTER, to: next });
    expect(rotated.rewrapped).toBeGreaterThanOrEqual(3);
    platform.config.secrets.masterKey = next;
    models.addScript('rotated', [
      { toolCalls: [shell('printf %s "$LEAK_TOKEN" | sha256sum; printf %s "$PERSONAL_TOKEN" | sha256sum')] },
      { text: 'ok' },
    ]);
    const after = await call(team.member, 'POST', '/agent/runs', { prompt: 'After rotation [script:rotated]' });
    expect((await waitForEnd(team.member, after.body.run_id)).state).toBe('SUCCEEDED');
    const [rotatedOut] = await platform.database.db.toolCall.findMany({ where: { runId: after.body.run_id } });
    expect(JSON.stringify(rotatedOut?.output)).toContain(sha256(values.LEAK_TOKEN));
    expect(JSON.stringify(rotatedOut?.output)).toContain(sha256(values.PERSONAL_TOKEN));

    const histories: string[] = [];
    for (const id of [userless.body.run_id as string, after.body.run_id as string]) {
      histories.push(textOf(await platform.client.workflow.getHandle(id).fetchHistory()).join('\n'));
    }
    await expectNoLeaks({ historyText: histories.join('\n') });
  });

  test('a scheduled run of a member’s personal schedule gets team secrets, never the member’s personal ones', async () => {
    models.addScript('scheduled', [
      { toolCalls: [shell('echo "personal=[${PERSONAL_TOKEN:-absent}]"; printf %s "$LEAK_TOKEN" | sha256sum')] },
      { text: 'ok' },
    ]);
    const schedule = await call(team.member, 'POST', '/agent/schedules', {
      name: 'personal-nightly',
      cron_schedule: '0 3 1 1 *',
      prompt: 'Nightly [script:scheduled]',
      team: false,
    });
    expect(schedule.status).toBeLessThan(300);
    expect((await call(team.member, 'POST', `/agent/schedules/${schedule.body.id}/trigger`)).status).toBe(200);
    let run: { id: string; creatorUserId: string | null; source: string } | null = null;
    for (let i = 0; i < 600 && !run; i++) {
      run = await platform.database.db.run.findFirst({
        where: { scheduleId: schedule.body.id },
        select: { id: true, creatorUserId: true, source: true },
      });
      if (!run) await new Promise((r) => setTimeout(r, 100));
    }
    // The run is the member's (their schedule), yet scheduled: no personal secret.
    expect(run).toMatchObject({ creatorUserId: team.users.member, source: 'SCHEDULED_AGENT' });
    expect((await waitForEnd(team.member, run!.id)).state).toBe('SUCCEEDED');
    const [out] = await platform.database.db.toolCall.findMany({ where: { runId: run!.id } });
    expect(JSON.stringify(out?.output)).toContain('personal=[absent]');
    expect(JSON.stringify(out?.output)).toContain(sha256(values.LEAK_TOKEN));
    await call(team.member, 'DELETE', `/agent/schedules/${schedule.body.id}`);
  });

  test('in a Docker environment, setup commands and tools see the secrets through exec variables, and nothing leaks', async () => {
    const env = await call(team.admin, 'POST', '/environments', {
      name: 'leaky-container',
      docker_image: BUSYBOX_IMAGE,
      // A unique command: a warm snapshot of an earlier run would skip setup.
      setup_commands: [`echo "setup sees $LEAK_TOKEN"; printf %s "$LEAK_TOKEN" | sha256sum # ${crypto.randomUUID()}`],
    });
    expect(env.status).toBe(201);
    models.addScript('container', [
      {
        toolCalls: [
          shell(
            'echo "in container $LEAK_TOKEN $PERSONAL_TOKEN"; printf %s "$LEAK_TOKEN" | base64; ' +
              'printf %s "$LEAK_TOKEN" | sha256sum; printf %s "$PERSONAL_TOKEN" | sha256sum',
          ),
        ],
      },
      { text: 'ok' },
    ]);
    const created = await call(team.member, 'POST', '/agent/runs', {
      prompt: 'In a container [script:container]',
      config: { environment_id: env.body.id },
    });
    const run = await waitForEnd(team.member, created.body.run_id);
    expect(run.state).toBe('SUCCEEDED');
    const runId = created.body.run_id as string;
    const [tool] = await platform.database.db.toolCall.findMany({ where: { runId } });
    const output = JSON.stringify(tool?.output);
    expect(output).toContain('in container *** ***');
    expect(output).toContain(sha256(values.LEAK_TOKEN));
    expect(output).toContain(sha256(values.PERSONAL_TOKEN));
    // The setup command's recorded output: redacted, yet it saw the value.
    const setupEvents = JSON.stringify(
      (await platform.database.db.runEvent.findMany({ where: { runId }, select: { data: true } })).map((e) => e.data),
    );
    expect(setupEvents).toContain('setup sees ***');
    expect(setupEvents).toContain(sha256(values.LEAK_TOKEN));
    await call(team.member, 'GET', `/agent/runs/${runId}/conversation`);
    const history = textOf(await platform.client.workflow.getHandle(runId).fetchHistory()).join('\n');
    await expectNoLeaks({ historyText: history });
  }, 180_000);

  /** Searches the whole database, the given histories, the captured logs and every API response. */
  async function expectNoLeaks(where: { historyText: string }): Promise<void> {
    const db = platform.database.db;
    const tables = await db.$queryRawUnsafe<{ table_name: string }[]>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['runs', 'run_events', 'secrets']));
    const database: string[] = [];
    for (const { table_name } of tables) {
      const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${table_name}"`);
      database.push(`[${table_name}]`, ...textOf(rows));
    }
    const places: Record<string, string> = {
      database: database.join('\n'),
      'temporal history': where.historyText,
      logs,
      'api responses': responses.join('\n'),
    };
    expect(logs.length).toBeGreaterThan(0);
    const hits: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      for (const [encoding, form] of Object.entries(encodings(value))) {
        for (const [place, text] of Object.entries(places)) {
          if (text.includes(form)) hits.push(`${name} (${encoding}) in ${place}`);
        }
      }
    }
    expect(hits).toEqual([]);
  }
});

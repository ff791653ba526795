/**
 * Interrupts against the whole platform (real API, worker, PostgreSQL and Temporal) with the scripted model server
 * as the provider: the agent's current step stops, the run waits BLOCKED for instructions, and a follow-up resumes
 * it as the agent's next user message. Completed calls are not made again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { generateApiKey } from '../../src/db/api-keys';
import { DEFAULT_TEAM_ID } from '../../src/db/bootstrap';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

interface ChatMessage {
  role: string;
  content?: unknown;
}

/** The messages of a recorded chat-completions request. */
function messagesOf(body: unknown): ChatMessage[] {
  return (body as { messages?: ChatMessage[] }).messages ?? [];
}

describe('interrupts', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let sideEffects: string;
  let viewerKey: string;

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m' },
    });
    sideEffects = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-interrupt-'));
    const db = platform.database.db;
    const userId = `viewer-${randomUUID().slice(0, 8)}`;
    await db.user.create({ data: { id: userId, displayName: 'A viewer' } });
    await db.membership.create({ data: { teamId: DEFAULT_TEAM_ID, userId, role: 'viewer' } });
    const k = generateApiKey();
    await db.apiKey.create({
      data: {
        id: `key_${randomUUID()}`,
        name: 'viewer',
        prefix: k.prefix,
        hash: k.hash,
        teamId: DEFAULT_TEAM_ID,
        userId,
        scope: 'personal',
      },
    });
    viewerKey = k.key;
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
    if (sideEffects) fs.rmSync(sideEffects, { recursive: true, force: true });
  });

  const interrupt = (runId: string, key = platform.apiKey) =>
    fetch(`${platform.api.url}/api/v1/agent/runs/${runId}/interrupt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  const eventsOf = (runId: string, type: string) =>
    platform.database.db.runEvent.findMany({ where: { runId, type }, orderBy: { id: 'asc' } });

  const states = async (runId: string) =>
    (await eventsOf(runId, 'state_changed')).map((e) => (e.data as { state: string }).state);

  test('mid model call: the call is aborted, the run waits BLOCKED, and a follow-up resumes it as the next user message', async () => {
    models.addScript('im', [{ gate: 'im-hold', text: 'im finished' }]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Think hard [script:im]' });
    const runId: string = created.body.run_id;
    await models.waitForGate('im-hold');

    const stopped = await interrupt(runId);
    expect(stopped).toEqual({ status: 200, body: { run_id: runId, turn: 1, interrupted_by: 'admin' } });
    const blocked = await platform.waitForState(runId, ['BLOCKED', ...TERMINAL]);
    expect(blocked.state).toBe('BLOCKED');
    expect(blocked.status_message.message).toBe(
      'Interrupted by admin; waiting for instructions (send a follow-up to continue).',
    );
    // The provider saw the client go away: the in-flight call was really stopped, not left to finish.
    await waitFor(() => models.callsFor('im')[0]?.aborted === true);
    const [record] = await eventsOf(runId, 'interrupted');
    expect(record?.data).toMatchObject({ by: 'admin', turn: 1, interrupted_tool_call_ids: [] });

    // Waiting, a second interrupt has nothing to stop.
    const again = await interrupt(runId);
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('already interrupted');

    models.release('im-hold');
    const followup = await platform.request('POST', `/agent/runs/${runId}/followups`, { message: 'Be brief instead.' });
    expect(followup.body).toMatchObject({ delivery: 'delivered' });
    const done = await platform.waitForState(runId, TERMINAL);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.status_message.message).toBe('im finished');
    const calls = models.callsFor('im');
    expect(calls).toHaveLength(2);
    const last = messagesOf(calls[1]?.body).at(-1);
    expect(last?.role).toBe('user');
    expect(JSON.stringify(last?.content)).toContain('Be brief instead.');
    expect(await states(runId)).toEqual([
      'QUEUED',
      'PENDING',
      'CLAIMED',
      'INPROGRESS',
      'BLOCKED',
      'INPROGRESS',
      'SUCCEEDED',
    ]);
    const audit = await platform.database.db.auditEvent.findMany({ where: { runId, action: 'run.interrupted' } });
    expect(audit).toHaveLength(1);
  });

  test('mid tool call: the command is stopped, the calls left are failed results the model reads, completed ones are not repeated', async () => {
    const first = path.join(sideEffects, 'first.txt');
    const late = path.join(sideEffects, 'late.txt');
    const never = path.join(sideEffects, 'never.txt');
    models.addScript('it', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: `echo one > ${first}` } }] },
      {
        toolCalls: [
          { name: 'run_shell_command', input: { command: `sleep 60; echo late > ${late}` } },
          { name: 'run_shell_command', input: { command: `echo never > ${never}` } },
        ],
      },
      { text: 'it finished' },
    ]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Work [script:it]' });
    const runId: string = created.body.run_id;
    const sleeping = `${runId}:call_it_1_0`;
    await waitFor(
      async () => (await platform.database.db.toolCall.findUnique({ where: { id: sleeping } }))?.state === 'running',
    );

    await waitFor(() => processesMentioning(late).length > 0);

    const stopped = await interrupt(runId);
    expect(stopped.status).toBe(200);
    expect(stopped.body.turn).toBe(2);
    const blocked = await platform.waitForState(runId, ['BLOCKED', ...TERMINAL]);
    expect(blocked.state).toBe('BLOCKED');
    const calls = await platform.database.db.toolCall.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
    expect(calls.map((c) => c.state)).toEqual(['completed', 'failed', 'failed']);
    expect(calls[2]?.output).toMatchObject({ interrupted: true });
    expect(JSON.stringify(calls[2]?.output)).toContain('interrupted by admin');
    const [record] = await eventsOf(runId, 'interrupted');
    expect((record?.data as { interrupted_tool_call_ids: string[] }).interrupted_tool_call_ids).toContain(
      'call_it_1_1',
    );
    expect(fs.existsSync(never)).toBe(false);
    // The command was really stopped, not left running in the environment.
    expect(processesMentioning(late)).toEqual([]);

    const followup = await platform.request('POST', `/agent/runs/${runId}/followups`, {
      message: 'Skip the slow part.',
    });
    expect(followup.status).toBe(200);
    const done = await platform.waitForState(runId, TERMINAL);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.status_message.message).toBe('it finished');
    // Each model call was made once; the first command ran once; the killed one never finished.
    const modelCalls = models.callsFor('it');
    expect(modelCalls).toHaveLength(3);
    expect(fs.readFileSync(first, 'utf8').trim()).toBe('one');
    expect(fs.existsSync(late)).toBe(false);
    const messages = messagesOf(modelCalls[2]?.body);
    const toolResults = messages.filter((m) => m.role === 'tool').map((m) => JSON.stringify(m.content));
    expect(toolResults).toHaveLength(3);
    expect(toolResults[2]).toContain('interrupted by admin');
    expect(messages.at(-1)?.role).toBe('user');
    expect(JSON.stringify(messages.at(-1)?.content)).toContain('Skip the slow part.');
  });

  test('while BLOCKED on an approval: the pending call is stopped unrun, no decision is pending any more, a follow-up resumes', async () => {
    const marker = path.join(sideEffects, 'gated.txt');
    models.addScript('ia', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: `echo gated > ${marker}` } }] },
      { text: 'ia finished' },
    ]);
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'Gated [script:ia]',
      config: { approvals: { shell_patterns: ['^echo '] } },
    });
    const runId: string = created.body.run_id;
    await platform.waitForState(runId, ['BLOCKED']);
    const [requested] = await eventsOf(runId, 'approval_requested');
    expect(requested).toBeDefined();

    expect((await interrupt(runId)).status).toBe(200);
    await waitFor(async () => (await eventsOf(runId, 'interrupted')).length === 1);
    const waiting = await platform.request('GET', `/agent/runs/${runId}`);
    expect(waiting.body.state).toBe('BLOCKED');
    expect(waiting.body.status_message.message).toContain('Interrupted by admin');
    const decision = await platform.request('POST', `/agent/runs/${runId}/approvals`, { decision: 'approve' });
    expect(decision.status).toBe(409);
    const [call] = await platform.database.db.toolCall.findMany({ where: { runId } });
    expect(call?.state).toBe('failed');

    await platform.request('POST', `/agent/runs/${runId}/followups`, { message: 'Do not run it.' });
    const done = await platform.waitForState(runId, TERMINAL);
    expect(done.state).toBe('SUCCEEDED');
    expect(fs.existsSync(marker)).toBe(false);
    const last = JSON.stringify(models.callsFor('ia').at(-1)?.body);
    expect(last).toContain('interrupted by admin');
    expect(last).toContain('Do not run it.');
  });

  test('a viewer may not interrupt; an ended or unknown run answers what it is; cancel ends a waiting run', async () => {
    models.addScript('iv', [{ gate: 'iv-hold', text: 'iv finished' }]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Wait [script:iv]' });
    const runId: string = created.body.run_id;
    await models.waitForGate('iv-hold');

    const byViewer = await interrupt(runId, viewerKey);
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.detail).toContain('viewers may not interrupt runs');
    expect((await interrupt('run_nope')).status).toBe(404);

    expect((await interrupt(runId)).status).toBe(200);
    await platform.waitForState(runId, ['BLOCKED']);
    const cancelled = await platform.request('POST', `/agent/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect((await platform.waitForState(runId, TERMINAL)).state).toBe('CANCELLED');

    const ended = await interrupt(runId);
    expect(ended.status).toBe(409);
    expect(ended.body.detail).toContain('it has ended (state CANCELLED)');
    models.release('iv-hold');
  });
});

/** Command lines of this machine's processes that contain `text` (the local environment runs commands here). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmdline.includes(text)) found.push(cmdline);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('the condition did not hold in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Approval gates against the whole platform (real API, worker, PostgreSQL and Temporal) with the scripted model
 * server as the provider: a gated tool call blocks the run until a human approves or denies it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { generateApiKey } from '../../src/db/api-keys';
import { DEFAULT_TEAM_ID } from '../../src/db/bootstrap';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const BIN = path.resolve(__dirname, '../../bin/ambit.js');
const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

describe('approval gates', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let sideEffects: string;
  let viewerKey: string;

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m' },
    });
    sideEffects = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-approvals-'));
    // A viewer of the platform's team: sees its runs, may not steer them.
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

  const approvals = (runId: string, body: unknown, key = platform.apiKey) =>
    fetch(`${platform.api.url}/api/v1/agent/runs/${runId}/approvals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  const eventsOf = (runId: string, type: string) =>
    platform.database.db.runEvent.findMany({ where: { runId, type }, orderBy: { id: 'asc' } });

  async function startGatedRun(script: string, command: string, patterns = ['^echo ']): Promise<string> {
    models.addScript(script, [
      { toolCalls: [{ name: 'run_shell_command', input: { command } }] },
      { text: `${script} finished` },
    ]);
    const created = await platform.request('POST', '/agent/runs', {
      prompt: `Do it [script:${script}]`,
      config: { approvals: { shell_patterns: patterns } },
    });
    expect(created.status).toBe(200);
    return created.body.run_id as string;
  }

  test('a matching shell command blocks the run, naming the command; approval runs it and the run succeeds', async () => {
    const marker = path.join(sideEffects, 'approved.txt');
    const command = `echo approved > ${marker}`;
    const runId = await startGatedRun('ap', command);

    const blocked = await platform.waitForState(runId, ['BLOCKED', ...TERMINAL]);
    expect(blocked.state).toBe('BLOCKED');
    expect(blocked.status_message.message).toContain(command);
    expect(fs.existsSync(marker)).toBe(false);
    const [requested] = await eventsOf(runId, 'approval_requested');
    const actionId = (requested?.data as { action_id: string }).action_id;
    expect(requested?.data).toMatchObject({ name: 'run_shell_command', input: { command } });
    expect((requested?.data as { reason: string }).reason).toContain('^echo ');
    expect(blocked.status_message.message).toContain(actionId);

    const decided = await approvals(runId, { decision: 'approve' });
    expect(decided).toEqual({ status: 200, body: { run_id: runId, action_id: actionId, decision: 'approve' } });

    const done = await platform.waitForState(runId, TERMINAL);
    expect(done.state).toBe('SUCCEEDED');
    expect(fs.readFileSync(marker, 'utf8').trim()).toBe('approved');
    const [record] = await eventsOf(runId, 'approval_decided');
    expect(record?.data).toMatchObject({ action_id: actionId, decision: 'approve', by: 'admin' });
    // The run's audit trail names who approved which action.
    const trail = (await platform.request('GET', `/agent/runs/${runId}/audit`)).body as {
      events: { action: string; actor: { user_id: string | null }; data: Record<string, unknown> }[];
    };
    expect(trail.events.map((e) => [e.action, e.actor.user_id, e.data['action_id']])).toEqual([
      ['run.created', 'admin', undefined],
      ['run.approved', 'admin', actionId],
    ]);
    expect(Date.parse((record?.data as { decided_at: string }).decided_at)).not.toBeNaN();
    const states = (await eventsOf(runId, 'state_changed')).map((e) => (e.data as { state: string }).state);
    expect(states).toEqual(['QUEUED', 'PENDING', 'CLAIMED', 'INPROGRESS', 'BLOCKED', 'INPROGRESS', 'SUCCEEDED']);

    // Nothing waits any more: a second decision is a 409 that says so, not retryable.
    const again = await approvals(runId, { decision: 'approve' });
    expect(again.status).toBe(409);
    expect(again.body.retryable).toBe(false);
    expect(again.body.detail).toContain('no action waits for approval');
  });

  test('a viewer cannot decide; a denial skips the tool and the model reads who denied it and why', async () => {
    const marker = path.join(sideEffects, 'denied.txt');
    const runId = await startGatedRun('dn', `echo denied > ${marker}`);
    await platform.waitForState(runId, ['BLOCKED']);

    const byViewer = await approvals(runId, { decision: 'approve' }, viewerKey);
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.detail).toContain('viewers');
    const wrongAction = await approvals(runId, { decision: 'approve', action_id: 'call_nope' });
    expect(wrongAction.status).toBe(409);
    expect(wrongAction.body.detail).toContain('action call_nope is not pending');
    const badDecision = await approvals(runId, { decision: 'maybe' });
    expect(badDecision.status).toBe(400);
    expect(badDecision.body.detail).toContain('decision');
    expect((await platform.request('GET', `/agent/runs/${runId}`)).body.state).toBe('BLOCKED');

    const denied = await approvals(runId, { decision: 'deny', comment: 'no echo today' });
    expect(denied.status).toBe(200);
    expect(denied.body.decision).toBe('deny');

    const done = await platform.waitForState(runId, TERMINAL);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.status_message.message).toBe('dn finished');
    expect(fs.existsSync(marker)).toBe(false);
    const [call] = await platform.database.db.toolCall.findMany({ where: { runId } });
    expect(call?.state).toBe('denied');
    const second = JSON.stringify(models.callsFor('dn')[1]?.body);
    expect(second).toContain('denied by admin: no echo today');
    const [record] = await eventsOf(runId, 'approval_decided');
    expect(record?.data).toMatchObject({ decision: 'deny', by: 'admin', comment: 'no echo today' });
    const trail = (await platform.request('GET', `/agent/runs/${runId}/audit`)).body as {
      events: { action: string }[];
    };
    // The viewer's refused attempt left no trace; the denial did.
    expect(trail.events.map((e) => e.action)).toEqual(['run.created', 'run.denied']);
  });

  test('a command that matches no pattern runs without waiting', async () => {
    const runId = await startGatedRun('free', 'true', ['^git push']);
    const done = await platform.waitForState(runId, TERMINAL);
    expect(done.state).toBe('SUCCEEDED');
    expect(await eventsOf(runId, 'approval_requested')).toHaveLength(0);
  });

  test('cancelling a BLOCKED run ends it CANCELLED without running the tool', async () => {
    const marker = path.join(sideEffects, 'cancelled.txt');
    const runId = await startGatedRun('cx', `echo cancelled > ${marker}`);
    await platform.waitForState(runId, ['BLOCKED']);
    expect((await platform.request('POST', `/agent/runs/${runId}/cancel`)).status).toBe(200);
    const done = await platform.waitForState(runId, TERMINAL);
    expect(done.state).toBe('CANCELLED');
    expect(fs.existsSync(marker)).toBe(false);
    const late = await approvals(runId, { decision: 'approve' });
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('CANCELLED');
  });

  test('the wait counts against the run time limit: an unanswered gate ends the run FAILED with run_timeout', async () => {
    const marker = path.join(sideEffects, 'timed-out.txt');
    models.addScript('to', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: `echo late > ${marker}` } }] },
      { text: 'never reached' },
    ]);
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'Wait [script:to]',
      config: { approvals: { shell_patterns: ['^echo '] }, run_timeout_minutes: 0.1 },
    });
    const runId: string = created.body.run_id;
    expect((await platform.waitForState(runId, ['BLOCKED', ...TERMINAL])).state).toBe('BLOCKED');
    const done = await platform.waitForState(runId, TERMINAL, 30_000);
    expect(done.state).toBe('FAILED');
    expect(done.status_message.error_code).toBe('run_timeout');
    expect(fs.existsSync(marker)).toBe(false);
  });

  test('ambit runs approve resumes a run blocked on a gated tool name', async () => {
    models.addScript('cli-ap', [
      { toolCalls: [{ name: 'write_file', input: { path: 'gated.txt', content: 'ok' } }] },
      { text: 'wrote it' },
    ]);
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'Write [script:cli-ap]',
      config: { approvals: { tools: ['write_*'] } },
    });
    const runId: string = created.body.run_id;
    const blocked = await platform.waitForState(runId, ['BLOCKED', ...TERMINAL]);
    expect(blocked.state).toBe('BLOCKED');
    expect(blocked.status_message.message).toContain('write_file');

    const r = await ambit(['runs', 'approve', runId, '--comment', 'fine', '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ run_id: runId, decision: 'approve' });
    expect((await platform.waitForState(runId, TERMINAL)).state).toBe('SUCCEEDED');
    const [call] = await platform.database.db.toolCall.findMany({ where: { runId } });
    expect(call?.state).toBe('completed');

    const none = await ambit(['runs', 'deny', runId]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('no action waits for approval');
  });

  const ambit = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: {
          PATH: process.env['PATH'] ?? '',
          AMBIT_API_URL: platform.api.url,
          AMBIT_API_KEY: platform.apiKey,
          NO_COLOR: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
});

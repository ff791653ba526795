/**
 * GitHub end to end on the real platform (API, database, Temporal server, worker) with the scripted model server and
 * the OpenAPI-checked fake GitHub: a mention starts a run whose progress is one comment edited in place with the
 * run's link and, at the end, its answer; a later mention in the same issue reaches the same run (a new execution)
 * and edits the same comment.
 */
import { startFakeGithub, type FakeGithub, type FakeComment } from '../fixtures/github/fake-github';
import { githubDelivery, issueCommentCreated } from '../fixtures/github/payloads';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TOKEN = 'ghp_e2e_token_abcdef';
const HOOK_SECRET = 'e2e-hook-secret';
const PUBLIC_URL = 'https://ambit.e2e.test';
const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('GitHub end to end', () => {
  let models: ScriptedModelServer;
  let github: FakeGithub;
  let platform: TestPlatform;
  let integrationId: string;

  beforeAll(async () => {
    models = await startScriptedModelServer();
    github = await startFakeGithub({ token: TOKEN });
    platform = await startTestPlatform({
      env: {
        OPENAI_COMPATIBLE_BASE_URL: models.url,
        AMBIT_DEFAULT_MODEL: 'openai-compatible/m',
        AMBIT_PUBLIC_URL: PUBLIC_URL,
      },
    });
    const created = await platform.request('POST', '/integrations', {
      type: 'github',
      name: 'e2e',
      config: {
        repositories: ['octo/app'],
        api_url: github.url,
        base_prompt: 'You answer GitHub issues of the octo team.',
        max_turns: 7,
      },
      secret_values: { webhook_secret: HOOK_SECRET, token: TOKEN },
    });
    expect(created.status).toBe(201);
    integrationId = created.body.id;
  });
  afterAll(async () => {
    await platform?.stop();
    await github?.close();
    await models?.close();
  });

  async function comment(
    number: number,
    body: string,
    d = githubDelivery(HOOK_SECRET, 'issue_comment', issueCommentCreated('octo/app', number, body)),
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${platform.api.url}/api/v1/hooks/${integrationId}`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
    return { status: res.status, body: await res.json() };
  }

  const commentsOn = (number: number): FakeComment[] =>
    [...github.comments.values()].filter((c) => c.repo === 'octo/app' && c.issue_number === number);

  test('progress is one comment edited in place; a follow-up mention reaches the same run and edits it again', async () => {
    models.addScript('gh-e2e', [{ text: 'The login test now waits for the page to load.' }, { text: 'Added a test.' }]);
    const started = await comment(12, '@ambit fix the flaky login test [script:gh-e2e]');
    expect(started.status).toBe(202);
    expect(started.body.runs[0].outcome).toBe('started');
    const runId: string = started.body.runs[0].run_id;

    const first = await platform.waitForState(runId, TERMINAL);
    expect(first.state).toBe('SUCCEEDED');
    const done = await until('the final comment', () =>
      commentsOn(12).find((c) => c.body.includes('The login test now waits')),
    );
    expect(commentsOn(12)).toHaveLength(1);
    expect(done.body).toContain(`<!-- ambit-run:${runId} -->`);
    expect(done.body).toContain(`${PUBLIC_URL}/runs/${runId}`);
    expect(done.body).toContain('✅ done');
    // Created once (at the first state), then edited at each later one.
    expect(done.edits).toBeGreaterThanOrEqual(2);
    expect(github.requests.filter((r) => r.operationId === 'issues/create-comment')).toHaveLength(1);
    const trigger = await platform.database.db.runTrigger.findUniqueOrThrow({ where: { runId } });
    expect(trigger.target).toEqual({ repo: 'octo/app', issue_number: 12, comment_id: done.id });

    // The integration's defaults applied to its run (the trigger layer of the resolved config).
    const resolved = await platform.request('GET', `/agent/runs/${runId}`);
    expect(resolved.body.agent_config).toMatchObject({ max_turns: 7 });
    expect(JSON.stringify(models.callsFor('gh-e2e')[0]?.body)).toContain('You answer GitHub issues of the octo team.');

    const followupDelivery = githubDelivery(
      HOOK_SECRET,
      'issue_comment',
      issueCommentCreated('octo/app', 12, '@ambit please add a regression test too'),
    );
    const followup = await comment(12, '', followupDelivery);
    expect(followup.body.runs[0]).toMatchObject({ outcome: 'followup', run_id: runId });
    await until('the second answer in the comment', () => commentsOn(12).find((c) => c.body.includes('Added a test.')));
    const second = await platform.waitForState(runId, TERMINAL);
    expect(second.state).toBe('SUCCEEDED');
    expect(second.status_message.message).toBe('Added a test.');
    // Same run, second execution, and the model saw the follow-up after the first answer.
    const row = await platform.database.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(row.execution).toBe(2);
    const lastCall = JSON.stringify(models.callsFor('gh-e2e').at(-1)?.body);
    expect(lastCall).toContain('please add a regression test too');
    expect(lastCall).toContain('The login test now waits');
    // The follow-up delivered again (GitHub's "redeliver") is recognised, not sent twice.
    const redelivered = await comment(12, '', followupDelivery);
    expect(redelivered.body.runs[0]).toMatchObject({ outcome: 'duplicate', run_id: runId });
    expect((await platform.database.db.run.findUniqueOrThrow({ where: { id: runId } })).execution).toBe(2);
    // Still one comment on the issue, and no second run for the issue.
    expect(commentsOn(12)).toHaveLength(1);
    expect(github.requests.filter((r) => r.operationId === 'issues/create-comment')).toHaveLength(1);
    expect(await platform.database.db.runTrigger.count({ where: { integrationId } })).toBe(1);
    expect(github.violations).toEqual([]);

    const status = await platform.request('GET', `/integrations/${integrationId}`);
    expect(status.body.status).toMatchObject({ state: 'connected', last_error: null });
    expect(status.body.status.last_event_at).not.toBeNull();
  });

  test('a report GitHub refuses is kept as the integration last error and does not stop the run', async () => {
    models.addScript('gh-refused', [{ text: 'ok' }]);
    const broken = await platform.request('POST', '/integrations', {
      type: 'github',
      name: 'revoked',
      config: { repositories: ['octo/app'], api_url: github.url, register_webhook: false },
      secret_values: { webhook_secret: 'revoked-secret', token: 'revoked-token' },
    });
    expect(broken.status).toBe(201);
    const d = githubDelivery(
      'revoked-secret',
      'issue_comment',
      issueCommentCreated('octo/app', 40, '@ambit go [script:gh-refused]'),
    );
    const res = await fetch(`${platform.api.url}/api/v1/hooks/${broken.body.id}`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
    const runId: string = ((await res.json()) as any).runs[0].run_id;
    expect((await platform.waitForState(runId, TERMINAL)).state).toBe('SUCCEEDED');
    const status = await platform.request('GET', `/integrations/${broken.body.id}`);
    expect(status.body.status.state).toBe('error');
    expect(status.body.status.last_error).toContain(`reporting run ${runId}`);
    expect(status.body.status.last_error).not.toContain('revoked-token');
  });
});

/**
 * Linear end to end on real parts (database, Temporal, workers, API over HTTP): the integration is created and
 * deleted through the API (registering and removing its webhook with the real `@linear/sdk` against a local server
 * answering its GraphQL operations), and signed deliveries to its hook URL start and continue runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { linearProgressCommentId } from '../../src/integrations/linear-events';
import { signLinearBody } from '../../src/integrations/linear-signature';
import { startFakeLinear, type FakeLinear } from '../fixtures/linear/fake-linear';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];
const WEBHOOK_SECRET = 'e2e-linear-webhook-secret-0123456789';
const fixture = (name: string): Record<string, any> =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/linear', name), 'utf8'));

describe('Linear trigger', () => {
  let models: ScriptedModelServer;
  let linear: FakeLinear;
  let platform: TestPlatform;

  beforeAll(async () => {
    models = await startScriptedModelServer();
    linear = await startFakeLinear();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m' },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await linear?.close();
    await models?.close();
  });

  async function createIntegration(name: string, config: Record<string, unknown>) {
    return platform.request('POST', '/integrations', {
      type: 'linear',
      name,
      config: { api_url: linear.apiUrl, ...config },
      secret_values: { api_key: linear.apiKey, webhook_secret: WEBHOOK_SECRET },
    });
  }

  async function deliver(
    integrationId: string,
    payload: Record<string, any>,
    deliveryId: string,
    secret = WEBHOOK_SECRET,
  ) {
    const raw = JSON.stringify({ ...payload, webhookTimestamp: Date.now() });
    const res = await fetch(`${platform.api.url}/api/v1/hooks/${integrationId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'linear-delivery': deliveryId,
        'linear-event': String(payload['type']),
        'linear-signature': signLinearBody({ secret, body: raw }),
      },
      body: raw,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  test('the webhook is registered with Linear on create and deleted on delete', async () => {
    const created = await createIntegration('registration', { label: 'ambit', team_id: 'ENG' });
    expect(created.status).toBe(201);
    const hookUrl: string = created.body.hook_url;
    expect(hookUrl).toContain(`/api/v1/hooks/${created.body.id}`);
    const registered = [...linear.webhooks.values()].filter((w) => w.url === hookUrl);
    expect(registered).toEqual([
      expect.objectContaining({ secret: WEBHOOK_SECRET, resourceTypes: ['Issue', 'Comment'], teamId: 'ENG' }),
    ]);
    expect(created.body.status.webhook_registered).toBe(true);
    expect(JSON.stringify(created.body)).not.toContain(WEBHOOK_SECRET);

    const deleted = await platform.request('DELETE', `/integrations/${created.body.id}`);
    expect([200, 204]).toContain(deleted.status);
    expect([...linear.webhooks.values()].filter((w) => w.url === hookUrl)).toEqual([]);
    expect(linear.callsTo('deleteWebhook')).toHaveLength(1);
  });

  test('a registration Linear refuses creates nothing: no integration, no secrets', async () => {
    const before = await platform.database.db.secret.count();
    const refused = await platform.request('POST', '/integrations', {
      type: 'linear',
      name: 'refused',
      config: { api_url: linear.apiUrl, label: 'ambit' },
      secret_values: { api_key: 'lin_api_not_a_valid_key', webhook_secret: WEBHOOK_SECRET },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain('registering the linear webhook');
    expect(JSON.stringify(refused.body)).not.toContain('lin_api_not_a_valid_key');
    expect(await platform.database.db.integration.count({ where: { name: 'refused' } })).toBe(0);
    expect(await platform.database.db.secret.count()).toBe(before);
  });

  test('an assigned issue starts one run, progress is one comment edited in place, a comment is a follow-up', async () => {
    const created = await createIntegration('assigned', { agent_user_id: linear.viewerId });
    expect(created.status).toBe(201);
    const id: string = created.body.id;

    models.addScript('lin', [{ text: 'Empty bar now returns 400.' }, { text: 'Added a regression test as well.' }]);
    const assigned = fixture('issue-assigned.json');
    const issueId: string = assigned['data']['id'];
    assigned['data']['assigneeId'] = linear.viewerId;
    assigned['data']['description'] = `${String(assigned['data']['description'])}\n\n[script:lin]`;

    const first = await deliver(id, assigned, 'b9a7c1d2-0000-4000-8000-000000000001');
    expect(first.status).toBe(202);
    expect(first.body.runs).toEqual([expect.objectContaining({ outcome: 'started' })]);
    const runId: string = first.body.runs[0].run_id;
    const redelivered = await deliver(id, assigned, 'b9a7c1d2-0000-4000-8000-000000000001');
    expect(redelivered.body.runs).toEqual([expect.objectContaining({ run_id: runId, outcome: 'duplicate' })]);

    const done = await platform.waitForState(runId, TERMINAL);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.source).toBe('LINEAR');
    expect(done.trigger_url).toBe('https://linear.app/linear/issue/LIN-1778/foo-bar');
    const context = JSON.stringify(models.callsFor('lin')[0]?.body);
    for (const part of ['Linear issue LIN-1778: Foo bar', 'Labels: Bug', 'returns 500 when bar is empty']) {
      expect(context).toContain(part);
    }

    const commentId = linearProgressCommentId(issueId);
    await linear.waitFor(
      (f) => f.comments.get(commentId)?.body.includes('Empty bar now returns 400.') === true,
      'the result in the progress comment',
    );
    expect(linear.commentsOn(issueId)).toHaveLength(1);
    expect(linear.comments.get(commentId)?.edits).toBeGreaterThanOrEqual(1);
    expect(linear.comments.get(commentId)?.body).toContain(`/runs/${runId}`);

    // The webhook echoes our own comment back: ignored.
    const echo = fixture('comment-create.json');
    echo['data'] = { ...echo['data'], id: commentId, userId: linear.viewerId, body: 'progress' };
    const echoed = await deliver(id, echo, 'b9a7c1d2-0000-4000-8000-000000000002');
    expect(echoed.body).toMatchObject({ runs: [] });

    // A person's comment on the issue continues the same run.
    const comment = fixture('comment-create.json');
    comment['data']['body'] = 'Please add a regression test.';
    const followup = await deliver(id, comment, 'b9a7c1d2-0000-4000-8000-000000000003');
    expect(followup.body.runs).toEqual([expect.objectContaining({ run_id: runId, outcome: 'followup' })]);
    const dup = await deliver(id, comment, 'b9a7c1d2-0000-4000-8000-000000000004');
    expect(dup.body.runs).toEqual([expect.objectContaining({ run_id: runId, outcome: 'duplicate' })]);

    await linear.waitFor(
      (f) => f.comments.get(commentId)?.body.includes('Added a regression test as well.') === true,
      'the follow-up result in the same comment',
    );
    const second = await platform.waitForState(runId, TERMINAL);
    expect(second.state).toBe('SUCCEEDED');
    const conversation = JSON.stringify((await platform.request('GET', `/agent/runs/${runId}/conversation`)).body);
    expect(conversation).toContain('Please add a regression test.');
    expect(await platform.database.db.run.count({ where: { source: 'LINEAR' } })).toBe(1);
    expect(linear.commentsOn(issueId)).toHaveLength(1);
    expect(linear.callsTo('createComment')).toHaveLength(1);
  });

  test('tampered and expired deliveries are refused with 401', async () => {
    const created = await createIntegration('signatures', { label: 'ambit' });
    const id: string = created.body.id;
    const wrong = await deliver(id, fixture('issue-labelled.json'), 'c0000000-0000-4000-8000-000000000001', 'wrong');
    expect(wrong.status).toBe(401);
    const raw = JSON.stringify({ ...fixture('issue-labelled.json'), webhookTimestamp: Date.now() - 10 * 60_000 });
    const expired = await fetch(`${platform.api.url}/api/v1/hooks/${id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'linear-signature': signLinearBody({ secret: WEBHOOK_SECRET, body: raw }),
      },
      body: raw,
    });
    expect(expired.status).toBe(401);
    expect(await platform.database.db.run.count({ where: { trigger: { integrationId: id } } })).toBe(0);
  });
});

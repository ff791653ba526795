/**
 * Generic webhooks through the real API, database and Temporal server (no worker: runs stay QUEUED, which is all
 * intake needs): signatures (valid, tampered, expired, missing), exactly-once delivery, the rendered prompt and
 * the payload attached to the run, and the integration's status.
 */
import { randomUUID } from 'node:crypto';
import { signWebhook } from '../../src/integrations/webhook';
import { renderTemplate } from '../../src/integrations/template';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const SECRET = 'whsec-test-9f8e7d6c5b4a';

describe('generic webhook integration', () => {
  let platform: TestPlatform;
  let integrationId: string;
  let hookUrl: string;

  beforeAll(async () => {
    platform = await startTestPlatform({ worker: false });
    const created = await platform.request('POST', '/integrations', {
      type: 'webhook',
      name: 'alerts',
      config: {
        prompt_template: 'Investigate alert {{alert.name}} on {{alert.labels.service}} (severity {{alert.severity}})',
        title_template: 'Alert {{alert.name}}',
      },
      secret_values: { webhook_secret: SECRET },
    });
    expect(created.status).toBe(201);
    integrationId = created.body.id;
    hookUrl = `${platform.api.url}/api/v1/hooks/${integrationId}`;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  async function deliver(
    body: string,
    opts: { timestamp?: number; signature?: string | null; delivery?: string } = {},
  ): Promise<{ status: number; body: any }> {
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-ambit-timestamp': timestamp };
    const signature = opts.signature === undefined ? signWebhook(SECRET, timestamp, body) : opts.signature;
    if (signature !== null) headers['x-ambit-signature'] = signature;
    if (opts.delivery) headers['x-ambit-delivery'] = opts.delivery;
    const res = await fetch(hookUrl, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const alert = (name: string) =>
    JSON.stringify({ alert: { name, severity: 'critical', labels: { service: 'checkout' } } });

  test('the create answer names secrets by name only and gives the hook URL and the signing instructions', async () => {
    const got = await platform.request('GET', `/integrations/${integrationId}`);
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body)).not.toContain(SECRET);
    expect(got.body.secret_refs).toEqual({ webhook_secret: 'WEBHOOK_ALERTS_WEBHOOK_SECRET' });
    expect(got.body.hook_url).toMatch(new RegExp(`/api/v1/hooks/${integrationId}$`));
    expect(got.body.status).toMatchObject({ state: 'connected', last_event_at: null, last_error: null });
  });

  test('a signed delivery starts a run with the rendered prompt, the payload attached, source and trigger_url', async () => {
    const delivery = `dlv-${randomUUID()}`;
    const res = await deliver(alert('HighLatency'), { delivery });
    expect(res.status).toBe(202);
    expect(res.body.runs).toHaveLength(1);
    expect(res.body.runs[0]).toMatchObject({ outcome: 'started', delivery_id: delivery });
    const runId: string = res.body.runs[0].run_id;

    const run = await platform.request('GET', `/agent/runs/${runId}`);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ source: 'WEBHOOK', title: 'Alert HighLatency' });
    expect(run.body.trigger_url).toContain(`/api/v1/hooks/${integrationId}#`);
    const row = await platform.database.db.run.findUniqueOrThrow({
      where: { id: runId },
      include: { trigger: true, events: { where: { key: 'created' } } },
    });
    expect(row.prompt).toMatch(/^Investigate alert HighLatency on checkout \(severity critical\)/);
    expect(row.prompt).toContain('"service": "checkout"');
    expect(row.triggerUrl).toContain(encodeURIComponent(delivery));
    expect(row.trigger).toMatchObject({ type: 'webhook', integrationId, deliveryId: delivery });
    const attachments = (row.events[0]?.data as { attachments?: { file_name: string; data: string }[] }).attachments;
    expect(attachments?.map((a) => a.file_name)).toEqual(['payload.json']);
    expect(JSON.parse(Buffer.from(attachments![0]!.data, 'base64').toString())).toEqual(
      JSON.parse(alert('HighLatency')),
    );

    const status = await platform.request('GET', `/integrations/${integrationId}`);
    expect(status.body.status.last_event_at).not.toBeNull();
  });

  test('the same delivery twice (and concurrently) yields one run', async () => {
    const delivery = `dlv-${randomUUID()}`;
    const body = alert('DiskFull');
    const first = await deliver(body, { delivery });
    const [second, third] = await Promise.all([deliver(body, { delivery }), deliver(body, { delivery })]);
    expect(first.body.runs[0].outcome).toBe('started');
    for (const again of [second, third]) {
      expect(again.status).toBe(202);
      expect(again.body.runs[0]).toMatchObject({ outcome: 'duplicate', run_id: first.body.runs[0].run_id });
    }
    const runs = await platform.database.db.runTrigger.count({ where: { integrationId, deliveryId: delivery } });
    expect(runs).toBe(1);
    const executions = [];
    for await (const w of platform.client.workflow.list({ query: `WorkflowId = '${first.body.runs[0].run_id}'` }))
      executions.push(w);
    expect(executions).toHaveLength(1);
  });

  test('without a delivery header, a replay of the same signed request is still one run', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const body = alert('NoHeader');
    const a = await deliver(body, { timestamp });
    const b = await deliver(body, { timestamp });
    expect(a.body.runs[0].outcome).toBe('started');
    expect(b.body.runs[0]).toMatchObject({ outcome: 'duplicate', run_id: a.body.runs[0].run_id });
  });

  test('tampered, expired, missing and wrong-secret signatures are refused with 401 and start nothing', async () => {
    const before = await platform.database.db.runTrigger.count({ where: { integrationId } });
    const now = Math.floor(Date.now() / 1000);
    const body = alert('Tamper');
    const signed = signWebhook(SECRET, String(now), body);

    const tampered = await deliver(body.replace('critical', 'low'), { timestamp: now, signature: signed });
    expect(tampered.status).toBe(401);
    expect(tampered.body.detail).toContain('does not match');

    const old = now - 3600;
    const expired = await deliver(body, { timestamp: old, signature: signWebhook(SECRET, String(old), body) });
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toContain('replay window');

    const missing = await deliver(body, { signature: null });
    expect(missing.status).toBe(401);
    expect(missing.body.detail).toContain('missing x-ambit-signature');

    const wrong = await deliver(body, { signature: signWebhook('another-secret', String(now), body) });
    expect(wrong.status).toBe(401);

    // A signature over the body alone (without the timestamp) is not the documented scheme.
    const bodyOnly = await deliver(body, { signature: signWebhook(SECRET, '', body) });
    expect(bodyOnly.status).toBe(401);

    expect(await platform.database.db.runTrigger.count({ where: { integrationId } })).toBe(before);
    const status = await platform.request('GET', `/integrations/${integrationId}`);
    expect(status.body.status.last_error).toContain('rejected a delivery');
    expect(status.body.status.state).toBe('error');
  });

  test('an unknown or disabled integration answers 404; a body that is not JSON answers 400', async () => {
    const res = await fetch(`${platform.api.url}/api/v1/hooks/int_nope`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    const bad = await deliver('not json');
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('body');

    const disabled = await platform.request('PATCH', `/integrations/${integrationId}`, { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.body.status.state).toBe('disabled');
    expect((await deliver(alert('Off'))).status).toBe(404);
    await platform.request('PATCH', `/integrations/${integrationId}`, { enabled: true });
  });

  test('creation validates the settings and secrets, naming the field', async () => {
    const noTemplate = await platform.request('POST', '/integrations', {
      type: 'webhook',
      name: 'x1',
      config: {},
      secret_values: { webhook_secret: 'abc' },
    });
    expect(noTemplate.status).toBe(400);
    expect(noTemplate.body.detail).toContain('config.prompt_template');

    const noSecret = await platform.request('POST', '/integrations', {
      type: 'webhook',
      name: 'x2',
      config: { prompt_template: 'p' },
    });
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.detail).toContain('secret_refs.webhook_secret');

    const unknownSecret = await platform.request('POST', '/integrations', {
      type: 'webhook',
      name: 'x3',
      config: { prompt_template: 'p' },
      secret_refs: { webhook_secret: 'NO_SUCH_SECRET' },
    });
    expect(unknownSecret.status).toBe(400);
    expect(unknownSecret.body.detail).toContain('NO_SUCH_SECRET');

    const unknownSetting = await platform.request('POST', '/integrations', {
      type: 'webhook',
      name: 'x4',
      config: { prompt_template: 'p', colour: 'blue' },
      secret_values: { webhook_secret: 'abc' },
    });
    expect(unknownSetting.status).toBe(400);
    expect(unknownSetting.body.detail).toContain('config.colour');

    const badType = await platform.request('POST', '/integrations', { type: 'gitlab', name: 'x5' });
    expect(badType.status).toBe(400);
    expect(badType.body.detail).toContain('type');

    const duplicate = await platform.request('POST', '/integrations', {
      type: 'webhook',
      name: 'alerts',
      config: { prompt_template: 'p' },
      secret_values: { webhook_secret: 'abc' },
    });
    expect(duplicate.status).toBe(409);
    expect(await platform.database.db.integration.count({ where: { name: { in: ['x1', 'x2', 'x3', 'x4'] } } })).toBe(0);
  });

  test('templates substitute {{path.to.field}} with array indexes; missing fields render empty', () => {
    const payload = { a: { b: [{ c: 'x' }, { c: 'y' }] }, n: 3, t: true, o: { k: 1 } };
    expect(renderTemplate('{{a.b.1.c}}-{{ n }}-{{t}}-{{missing.x}}-{{o}}', payload)).toBe('y-3-true--{"k":1}');
  });
});

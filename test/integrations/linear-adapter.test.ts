/**
 * The Linear adapter with the real `@linear/sdk` client against a local server answering the SDK's GraphQL
 * operations: request verification, the events it yields, the progress comment edited in place, and the webhook
 * registered and removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { linearAdapter } from '../../src/integrations/linear';
import { linearProgressCommentId } from '../../src/integrations/linear-events';
import { signLinearBody } from '../../src/integrations/linear-signature';
import type { IntegrationContext, IntegrationRecord, RunReport } from '../../src/integrations/types';
import { SignatureError } from '../../src/integrations/types';
import { startFakeLinear, type FakeLinear } from '../fixtures/linear/fake-linear';

const WEBHOOK_SECRET = 'lin_wh_secret_for_tests_0123456789';
const NOW = new Date('2026-11-29T12:00:00Z');
const fixture = (name: string): Record<string, any> =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/linear', name), 'utf8'));

function contextFor(fake: FakeLinear, overrides: Partial<IntegrationRecord> = {}): IntegrationContext {
  const integration: IntegrationRecord = {
    id: 'int_linear_1',
    teamId: 'team_1',
    type: 'linear',
    name: 'eng',
    enabled: true,
    config: { api_url: fake.apiUrl, agent_user_id: fake.viewerId, label: 'ambit' },
    secretRefs: { api_key: 'LINEAR_API_KEY', webhook_secret: 'LINEAR_WEBHOOK_SECRET' },
    remoteHookId: null,
    createdByUserId: null,
    ...overrides,
  };
  const secrets: Record<string, string> = { api_key: fake.apiKey, webhook_secret: WEBHOOK_SECRET };
  return {
    integration,
    secret: (role) => Promise.resolve(secrets[role]),
    logger: pino({ level: 'silent' }),
    publicUrl: 'https://ambit.example',
    hookUrl: `https://ambit.example/api/v1/hooks/${integration.id}`,
    now: () => NOW,
  };
}

function delivery(payload: Record<string, any>, deliveryId = 'c5a5e0b4-0000-4000-8000-000000000001') {
  const raw = JSON.stringify({ ...payload, webhookTimestamp: NOW.getTime() - 2_000 });
  return {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'linear-delivery': deliveryId,
      'linear-event': String(payload['type']),
      'linear-signature': signLinearBody({ secret: WEBHOOK_SECRET, body: raw }),
    } as Record<string, string | undefined>,
    rawBody: Buffer.from(raw),
  };
}

describe('Linear adapter', () => {
  let fake: FakeLinear;
  beforeAll(async () => {
    fake = await startFakeLinear();
  });
  afterAll(async () => {
    await fake?.close();
  });

  test('valid, tampered, expired and missing signatures', async () => {
    const ctx = contextFor(fake);
    const assigned = fixture('issue-assigned.json');
    assigned['data']['assigneeId'] = fake.viewerId;
    await expect(linearAdapter.handleRequest(ctx, delivery(assigned))).resolves.toMatchObject({ kind: 'events' });

    const tampered = delivery(assigned);
    tampered.rawBody = Buffer.from(tampered.rawBody.toString().replace('Foo bar', 'Drop the database'));
    await expect(linearAdapter.handleRequest(ctx, tampered)).rejects.toThrow(SignatureError);

    const raw = JSON.stringify({ ...assigned, webhookTimestamp: NOW.getTime() - 5 * 60_000 });
    const expired = {
      headers: { 'linear-signature': signLinearBody({ secret: WEBHOOK_SECRET, body: raw }) },
      rawBody: Buffer.from(raw),
    };
    await expect(linearAdapter.handleRequest(ctx, expired)).rejects.toThrow('replay window');

    const missing = delivery(assigned);
    delete missing.headers['linear-signature'];
    await expect(linearAdapter.handleRequest(ctx, missing)).rejects.toThrow('missing Linear-Signature header');
  });

  test('an assigned issue starts a run with the issue as context; a comment on it only continues that run', async () => {
    const ctx = contextFor(fake);
    const assigned = fixture('issue-assigned.json');
    assigned['data']['assigneeId'] = fake.viewerId;
    const started = await linearAdapter.handleRequest(ctx, delivery(assigned, 'd-1'));
    const commented = await linearAdapter.handleRequest(ctx, delivery(fixture('comment-create.json'), 'd-2'));
    if (started.kind !== 'events' || commented.kind !== 'events') throw new Error('expected events');
    const [start] = started.events;
    const [followup] = commented.events;
    expect(start).toMatchObject({
      deliveryId: 'linear:d-1',
      conversationKey: 'linear:issue:539068e2-ae88-4d09-bd75-22eb4a59612f',
      startsRun: true,
      title: 'LIN-1778: Foo bar',
      triggerUrl: 'https://linear.app/linear/issue/LIN-1778/foo-bar',
      target: { issue_id: '539068e2-ae88-4d09-bd75-22eb4a59612f', identifier: 'LIN-1778' },
    });
    const context = await start?.buildContext?.();
    expect(context?.text).toContain('Linear issue LIN-1778: Foo bar');
    expect(context?.text).toContain('Labels: Bug');
    expect(context?.text).toContain('The foo endpoint returns 500 when bar is empty.');
    expect(followup).toMatchObject({
      deliveryId: 'linear:comment:2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9',
      conversationKey: start?.conversationKey,
      prompt: 'Indeed, I think we should do this.',
      startsRun: false,
    });
  });

  test('the labelled issue starts a run; unrelated changes are ignored', async () => {
    const ctx = contextFor(fake);
    await expect(linearAdapter.handleRequest(ctx, delivery(fixture('issue-labelled.json')))).resolves.toMatchObject({
      kind: 'events',
      events: [{ conversationKey: 'linear:issue:8c1f7e2a-5b3d-4a9e-9f10-2b3c4d5e6f70', startsRun: true }],
    });
    const edit = fixture('issue-labelled.json');
    edit['updatedFrom'] = { title: 'old' };
    await expect(linearAdapter.handleRequest(ctx, delivery(edit))).resolves.toMatchObject({ kind: 'ignore' });
  });

  test('progress is one comment created with a stable id, then updated in place', async () => {
    const ctx = contextFor(fake);
    const issueId = '539068e2-ae88-4d09-bd75-22eb4a59612f';
    const base: RunReport = {
      runId: 'run_l',
      state: 'INPROGRESS',
      link: 'https://ambit.example/runs/run_l',
      title: 'LIN-1778: Foo bar',
      statusMessage: 'Reading the code',
      pullRequests: [],
      target: { issue_id: issueId, identifier: 'LIN-1778' },
    };
    const stored = await linearAdapter.reportRun!(ctx, base);
    expect(stored).toEqual({ ...base.target, comment_id: linearProgressCommentId(issueId) });
    await linearAdapter.reportRun!(ctx, { ...base, statusMessage: 'Running tests', target: stored! });
    await linearAdapter.reportRun!(ctx, {
      ...base,
      state: 'SUCCEEDED',
      finalAnswer: 'Fixed in the handler; empty bar now returns 400.',
      pullRequests: [{ url: 'https://github.com/o/r/pull/7' }],
      target: stored!,
    });

    const comments = fake.commentsOn(issueId);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ id: linearProgressCommentId(issueId), edits: 2, userId: fake.viewerId });
    expect(comments[0]?.body).toBe(
      '**Ambit** · Done · [LIN-1778: Foo bar](https://ambit.example/runs/run_l)\n\n' +
        'Fixed in the handler; empty bar now returns 400.\n\nPull request: https://github.com/o/r/pull/7',
    );
    expect(fake.callsTo('createComment')).toHaveLength(1);
    expect(fake.callsTo('createComment')[0]).toMatchObject({
      authorization: fake.apiKey,
      variables: { input: { id: linearProgressCommentId(issueId), issueId } },
    });
    expect(fake.callsTo('updateComment')).toHaveLength(2);
  });

  test('a retried first report (the comment exists but its id was not stored) edits instead of duplicating', async () => {
    const ctx = contextFor(fake);
    const issueId = 'f00d0000-0000-4000-8000-000000000001';
    const report: RunReport = {
      runId: 'run_r',
      state: 'QUEUED',
      link: 'https://ambit.example/runs/run_r',
      title: 't',
      pullRequests: [],
      target: { issue_id: issueId },
    };
    await linearAdapter.reportRun!(ctx, report);
    await linearAdapter.reportRun!(ctx, { ...report, state: 'INPROGRESS' });
    expect(fake.commentsOn(issueId)).toHaveLength(1);
    expect(fake.commentsOn(issueId)[0]?.body).toContain('Working on it');
  });

  test('the webhook is registered on create (URL, secret, resources) and deleted on delete', async () => {
    const ctx = contextFor(fake, { config: { api_url: fake.apiUrl, label: 'ambit', team_id: 'ENG' } });
    const { remoteHookId } = await linearAdapter.register!(ctx);
    expect(remoteHookId).toBeDefined();
    expect(fake.webhooks.get(remoteHookId!)).toMatchObject({
      url: 'https://ambit.example/api/v1/hooks/int_linear_1',
      secret: WEBHOOK_SECRET,
      resourceTypes: ['Issue', 'Comment'],
      teamId: 'ENG',
      label: 'Ambit: eng',
    });
    await linearAdapter.unregister!({ ...ctx, integration: { ...ctx.integration, remoteHookId: remoteHookId! } });
    expect(fake.webhooks.has(remoteHookId!)).toBe(false);
    // Deleting again (already removed in Linear) is not an error.
    await linearAdapter.unregister!({ ...ctx, integration: { ...ctx.integration, remoteHookId: remoteHookId! } });
  });

  test('a rejected API key surfaces Linear’s authentication error', async () => {
    const ctx = contextFor(fake);
    const bad = {
      ...ctx,
      secret: (role: string) => Promise.resolve(role === 'api_key' ? 'lin_api_wrong' : WEBHOOK_SECRET),
    };
    await expect(linearAdapter.register!(bad)).rejects.toThrow(/authenticat/i);
  });
});

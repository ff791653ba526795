import fs from 'node:fs';
import path from 'node:path';
import {
  decideLinearEvent,
  formatLinearIssueContext,
  linearProgressCommentId,
} from '../../src/integrations/linear-events';
import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { signLinearBody, verifyLinearSignature } from '../../src/integrations/linear-signature';
import { LinearConfigSchema, linearCommentBody } from '../../src/integrations/linear';

const fixture = (name: string): Record<string, any> =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/linear', name), 'utf8'));

const AGENT = 'a1b2c3d4-0000-4000-8000-00000000a9e7';

describe('Linear webhook signatures (hex HMAC-SHA256 of the raw body; webhookTimestamp within a minute)', () => {
  const secret = 'lin_wh_test_secret_0123456789';
  const payload = fixture('comment-create.json');
  const now = payload['webhookTimestamp'] as number;
  const body = JSON.stringify(payload);
  const signature = signLinearBody({ secret, body });

  test('the signature of the raw body verifies', () => {
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyLinearSignature({ secret, signature, rawBody: Buffer.from(body), now: now + 5_000 })).toEqual({
      ok: true,
    });
  });

  test("Linear's own SDK accepts the signature we compute", () => {
    jest.useFakeTimers({ now: now + 1_000, doNotFake: ['nextTick', 'setImmediate'] });
    try {
      expect(new LinearWebhookClient(secret).verify(Buffer.from(body), signature, now)).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  test('a tampered body or a wrong secret fails', () => {
    const tampered = body.replace('Indeed', 'Surely');
    expect(verifyLinearSignature({ secret, signature, rawBody: tampered, now })).toEqual({
      ok: false,
      reason: 'Linear-Signature does not match the request body and signing secret',
    });
    expect(verifyLinearSignature({ secret: 'other', signature, rawBody: body, now }).ok).toBe(false);
    // Re-serialising changes the bytes: the signature is over the raw body, not the parsed object.
    expect(verifyLinearSignature({ secret, signature, rawBody: JSON.stringify(payload, null, 1), now }).ok).toBe(false);
  });

  test('a delivery older or newer than a minute is refused even with a valid signature', () => {
    expect(verifyLinearSignature({ secret, signature, rawBody: body, now: now + 59_000 }).ok).toBe(true);
    expect(verifyLinearSignature({ secret, signature, rawBody: body, now: now + 61_000 })).toEqual({
      ok: false,
      reason: 'webhookTimestamp is outside the one-minute replay window',
    });
    expect(verifyLinearSignature({ secret, signature, rawBody: body, now: now - 61_000 }).ok).toBe(false);
    const untimed = JSON.stringify({ ...payload, webhookTimestamp: undefined });
    expect(
      verifyLinearSignature({ secret, signature: signLinearBody({ secret, body: untimed }), rawBody: untimed, now }),
    ).toEqual({ ok: false, reason: 'webhookTimestamp is missing from the body' });
  });

  test('a missing signature is named', () => {
    expect(verifyLinearSignature({ secret, signature: undefined, rawBody: body, now })).toEqual({
      ok: false,
      reason: 'missing Linear-Signature header',
    });
  });
});

describe('Linear events', () => {
  test('an issue assigned to the agent by this change starts a run', () => {
    const decision = decideLinearEvent(fixture('issue-assigned.json'), { agentUserId: AGENT });
    expect(decision).toMatchObject({
      kind: 'issue',
      reason: 'assigned',
      url: 'https://linear.app/linear/issue/LIN-1778/foo-bar',
      issue: { id: '539068e2-ae88-4d09-bd75-22eb4a59612f', identifier: 'LIN-1778', title: 'Foo bar' },
    });
  });

  test('an edit to an issue that was already assigned to the agent starts nothing', () => {
    const edit = fixture('issue-assigned.json');
    edit['updatedFrom'] = { updatedAt: '2020-01-23T12:53:18.084Z', title: 'Foo' };
    expect(decideLinearEvent(edit, { agentUserId: AGENT })).toMatchObject({ kind: 'ignore' });
    expect(decideLinearEvent(fixture('issue-assigned.json'), { agentUserId: 'someone-else' })).toMatchObject({
      kind: 'ignore',
    });
  });

  test('a new issue created assigned to the agent, or delegated to its app user, starts a run', () => {
    const created = fixture('issue-assigned.json');
    created['action'] = 'create';
    delete created['updatedFrom'];
    expect(decideLinearEvent(created, { agentUserId: AGENT })).toMatchObject({ kind: 'issue', reason: 'assigned' });
    const delegated = fixture('issue-assigned.json');
    delegated['data']['assigneeId'] = null;
    delegated['data']['delegateId'] = AGENT;
    delegated['updatedFrom'] = { delegateId: null };
    expect(decideLinearEvent(delegated, { agentUserId: AGENT })).toMatchObject({ kind: 'issue', reason: 'assigned' });
  });

  test('the configured label (by name or id) added by this change starts a run; one it had before does not', () => {
    expect(decideLinearEvent(fixture('issue-labelled.json'), { label: 'Ambit' })).toMatchObject({
      kind: 'issue',
      reason: 'labelled',
    });
    expect(
      decideLinearEvent(fixture('issue-labelled.json'), { label: '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d' }),
    ).toMatchObject({ kind: 'issue', reason: 'labelled' });
    // "Bug" was on the issue before this change.
    expect(decideLinearEvent(fixture('issue-labelled.json'), { label: 'Bug' })).toMatchObject({ kind: 'ignore' });
    const unrelated = fixture('issue-labelled.json');
    unrelated['updatedFrom'] = { title: 'old title' };
    expect(decideLinearEvent(unrelated, { label: 'ambit' })).toMatchObject({ kind: 'ignore' });
  });

  test('a new comment on an issue is a follow-up candidate; the agent’s own comments are not', () => {
    expect(decideLinearEvent(fixture('comment-create.json'), { agentUserId: AGENT })).toMatchObject({
      kind: 'comment',
      issueId: '539068e2-ae88-4d09-bd75-22eb4a59612f',
      comment: { body: 'Indeed, I think we should do this.' },
    });
    const byAgent = fixture('comment-create.json');
    byAgent['data']['userId'] = AGENT;
    expect(decideLinearEvent(byAgent, { agentUserId: AGENT })).toMatchObject({ kind: 'ignore' });
    const progress = fixture('comment-create.json');
    progress['data']['id'] = linearProgressCommentId('539068e2-ae88-4d09-bd75-22eb4a59612f');
    expect(decideLinearEvent(progress, { label: 'ambit' })).toEqual({
      kind: 'ignore',
      reason: "the agent's own comment",
    });
    const edited = fixture('comment-create.json');
    edited['action'] = 'update';
    expect(decideLinearEvent(edited, { agentUserId: AGENT })).toMatchObject({ kind: 'ignore' });
  });

  test('other resources are ignored', () => {
    expect(
      decideLinearEvent({ ...fixture('comment-create.json'), type: 'Reaction' }, { agentUserId: AGENT }),
    ).toMatchObject({ kind: 'ignore', reason: 'Reaction events do not trigger runs' });
  });

  test('the progress comment id is a stable UUID v4 per issue', () => {
    const id = linearProgressCommentId('539068e2-ae88-4d09-bd75-22eb4a59612f');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(linearProgressCommentId('539068e2-ae88-4d09-bd75-22eb4a59612f')).toBe(id);
    expect(linearProgressCommentId('another-issue')).not.toBe(id);
  });

  test('the issue context has title, identifier, labels, link and description', () => {
    const decision = decideLinearEvent(fixture('issue-assigned.json'), { agentUserId: AGENT });
    if (decision.kind !== 'issue') throw new Error('expected an issue');
    expect(formatLinearIssueContext(decision.issue, decision.url)).toBe(
      [
        'Linear issue LIN-1778: Foo bar',
        'URL: https://linear.app/linear/issue/LIN-1778/foo-bar',
        'Team: Linear',
        'Labels: Bug',
        '',
        'The foo endpoint returns 500 when bar is empty.\n\nSteps: call /foo?bar=',
      ].join('\n'),
    );
  });

  test('the config needs a user or a label, and names the field', () => {
    const empty = LinearConfigSchema.safeParse({});
    expect(empty.success).toBe(false);
    expect(empty.error?.issues[0]?.path).toEqual(['agent_user_id']);
    expect(LinearConfigSchema.safeParse({ label: 'ambit' }).success).toBe(true);
  });

  test('api_url may only point at Linear (or loopback for tests): the API key is sent there', () => {
    const ok = (api_url: string) => LinearConfigSchema.safeParse({ label: 'a', api_url }).success;
    expect(ok('https://api.linear.app/graphql')).toBe(true);
    expect(ok('http://127.0.0.1:4000/graphql')).toBe(true);
    const evil = LinearConfigSchema.safeParse({ label: 'a', api_url: 'https://collector.example/graphql' });
    expect(evil.error?.issues[0]).toMatchObject({
      path: ['api_url'],
      message: expect.stringContaining('api.linear.app'),
    });
  });

  test('the comment shows the final answer on a terminal state, the status before', () => {
    const report = { link: 'https://a.example/runs/r', title: 'LIN-1: t', pullRequests: [], statusMessage: 'Reading' };
    expect(linearCommentBody({ ...report, state: 'INPROGRESS' })).toBe(
      '**Ambit** · Working on it · [LIN-1: t](https://a.example/runs/r)\n\n_Reading_',
    );
    expect(linearCommentBody({ ...report, state: 'SUCCEEDED', finalAnswer: 'Fixed it.' })).toBe(
      '**Ambit** · Done · [LIN-1: t](https://a.example/runs/r)\n\nFixed it.',
    );
  });
});

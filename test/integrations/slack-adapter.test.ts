/**
 * The Slack adapter with the real `@slack/web-api` client against a local server speaking Slack's Web API: request
 * verification, the events it yields, the thread as context, and progress edited in place.
 */
import pino from 'pino';
import { slackAdapter } from '../../src/integrations/slack';
import { signSlackRequest } from '../../src/integrations/slack-signature';
import type { IntegrationContext, IntegrationRecord, RunReport } from '../../src/integrations/types';
import { SignatureError } from '../../src/integrations/types';
import { startFakeSlack, type FakeSlack } from '../fixtures/slack/fake-slack';

const SIGNING_SECRET = 'slack-signing-secret-for-tests';
const NOW = new Date('2026-11-29T12:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

function contextFor(fake: FakeSlack, overrides: Partial<IntegrationRecord> = {}): IntegrationContext {
  const integration: IntegrationRecord = {
    id: 'int_slack_1',
    teamId: 'team_1',
    type: 'slack',
    name: 'workspace',
    enabled: true,
    config: { api_url: fake.apiUrl, bot_user_id: fake.botUserId },
    secretRefs: { bot_token: 'SLACK_BOT_TOKEN', signing_secret: 'SLACK_SIGNING_SECRET' },
    remoteHookId: null,
    createdByUserId: null,
    ...overrides,
  };
  const secrets: Record<string, string> = { bot_token: fake.botToken, signing_secret: SIGNING_SECRET };
  return {
    integration,
    secret: (role) => Promise.resolve(secrets[role]),
    logger: pino({ level: 'silent' }),
    publicUrl: 'https://ambit.example',
    hookUrl: `https://ambit.example/api/v1/hooks/${integration.id}`,
    now: () => NOW,
  };
}

function signed(body: unknown, timestamp = nowSeconds) {
  const raw = JSON.stringify(body);
  return {
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signSlackRequest({ signingSecret: SIGNING_SECRET, timestamp, body: raw }),
    } as Record<string, string | undefined>,
    rawBody: Buffer.from(raw),
  };
}

function mention(fake: FakeSlack, input: { ts: string; threadTs?: string; text: string; type?: string }) {
  return {
    token: 'unused-verification-token',
    team_id: fake.teamId,
    api_app_id: 'A0APP00001',
    type: 'event_callback',
    event_id: `Ev${input.ts.replace('.', '')}`,
    event_time: nowSeconds,
    authorizations: [{ team_id: fake.teamId, user_id: fake.botUserId, is_bot: true }],
    event: {
      type: input.type ?? 'app_mention',
      user: 'U0HUMAN001',
      text: input.text,
      ts: input.ts,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
      channel: 'C0CHANNEL1',
      event_ts: input.ts,
    },
  };
}

describe('Slack adapter', () => {
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await startFakeSlack();
  });
  afterAll(async () => {
    await fake?.close();
  });

  test('url_verification is answered with the challenge only when signed', async () => {
    const ctx = contextFor(fake);
    const body = { type: 'url_verification', token: 't', challenge: 'ch4ll3nge' };
    await expect(slackAdapter.handleRequest(ctx, signed(body))).resolves.toEqual({
      kind: 'respond',
      status: 200,
      body: { challenge: 'ch4ll3nge' },
    });
    const unsigned = { headers: {}, rawBody: Buffer.from(JSON.stringify(body)) };
    await expect(slackAdapter.handleRequest(ctx, unsigned)).rejects.toThrow(SignatureError);
  });

  test('valid, tampered, expired and missing signatures', async () => {
    const ctx = contextFor(fake);
    const body = mention(fake, { ts: '1700000001.000100', text: `<@${fake.botUserId}> hi` });
    await expect(slackAdapter.handleRequest(ctx, signed(body))).resolves.toMatchObject({ kind: 'events' });

    const tampered = signed(body);
    tampered.rawBody = Buffer.from(tampered.rawBody.toString().replace('hi', 'rm -rf'));
    await expect(slackAdapter.handleRequest(ctx, tampered)).rejects.toThrow('does not match');

    await expect(slackAdapter.handleRequest(ctx, signed(body, nowSeconds - 6 * 60))).rejects.toThrow('replay window');

    const missing = signed(body);
    delete missing.headers['x-slack-signature'];
    await expect(slackAdapter.handleRequest(ctx, missing)).rejects.toThrow('missing X-Slack-Signature header');
  });

  test('a mention starts a run keyed by its thread; a plain reply in the thread only continues it', async () => {
    const ctx = contextFor(fake);
    const top = await slackAdapter.handleRequest(
      ctx,
      signed(mention(fake, { ts: '1700000100.000100', text: `<@${fake.botUserId}> why is CI red?` })),
    );
    const reply = await slackAdapter.handleRequest(
      ctx,
      signed(
        mention(fake, {
          type: 'message',
          ts: '1700000200.000100',
          threadTs: '1700000100.000100',
          text: 'it started after the merge',
        }),
      ),
    );
    if (top.kind !== 'events' || reply.kind !== 'events') throw new Error('expected events');
    const [start] = top.events;
    const [followup] = reply.events;
    expect(start).toMatchObject({
      prompt: 'why is CI red?',
      startsRun: true,
      conversationKey: `slack:${fake.teamId}:C0CHANNEL1:1700000100.000100`,
      target: { team_id: fake.teamId, channel: 'C0CHANNEL1', thread_ts: '1700000100.000100' },
    });
    expect(followup).toMatchObject({ prompt: 'it started after the merge', startsRun: false });
    expect(followup?.conversationKey).toBe(start?.conversationKey);
    expect(followup?.deliveryId).not.toBe(start?.deliveryId);
  });

  test('the retried and the duplicate (message + app_mention) events of one message are one delivery', async () => {
    const ctx = contextFor(fake);
    const body = mention(fake, { ts: '1700000300.000100', text: `<@${fake.botUserId}> go` });
    const asMessage = { ...body, event_id: 'EvOTHER', event: { ...body.event, type: 'message' } };
    const retry = signed(body);
    retry.headers['x-slack-retry-num'] = '1';
    retry.headers['x-slack-retry-reason'] = 'http_timeout';
    const ids = [];
    for (const req of [signed(body), retry, signed(asMessage)]) {
      const r = await slackAdapter.handleRequest(ctx, req);
      if (r.kind !== 'events') throw new Error('expected events');
      ids.push(r.events[0]?.deliveryId);
    }
    expect(new Set(ids).size).toBe(1);
  });

  test("the bot's own messages are ignored", async () => {
    const ctx = contextFor(fake);
    const own = mention(fake, { type: 'message', ts: '1700000400.000100', threadTs: '1700000100.000100', text: 'x' });
    (own.event as Record<string, unknown>)['bot_id'] = 'B0BOT00001';
    await expect(slackAdapter.handleRequest(ctx, signed(own))).resolves.toMatchObject({ kind: 'ignore' });
  });

  test('the context is the thread, read with conversations.replies and the bot token', async () => {
    const ctx = contextFor(fake);
    fake.seed('C0CHANNEL2', { ts: '1700000500.000100', user: 'U0HUMAN001', text: 'The deploy failed at 3am' });
    fake.seed('C0CHANNEL2', {
      ts: '1700000501.000100',
      thread_ts: '1700000500.000100',
      user: 'U0HUMAN002',
      text: `<@${fake.botUserId}> can you look?`,
    });
    fake.seed('C0CHANNEL2', { ts: '1700000502.000100', user: 'U0HUMAN003', text: 'unrelated message' });
    const body = mention(fake, {
      ts: '1700000501.000100',
      threadTs: '1700000500.000100',
      text: `<@${fake.botUserId}> can you look?`,
    });
    body.event.channel = 'C0CHANNEL2';
    const result = await slackAdapter.handleRequest(ctx, signed(body));
    if (result.kind !== 'events') throw new Error('expected events');
    const context = await result.events[0]?.buildContext?.();
    expect(context?.text).toContain('<@U0HUMAN001>: The deploy failed at 3am');
    expect(context?.text).toContain('<@U0HUMAN002>: <@U0BOTUSER1> can you look?');
    expect(context?.text).not.toContain('unrelated message');
    expect(result.events[0]?.triggerUrl).toBe('https://fake.slack.com/archives/C0CHANNEL2/p1700000501000100');
    expect(context?.text).toContain('(https://fake.slack.com/archives/C0CHANNEL2/p1700000501000100)');
    const [replies] = fake.callsTo('conversations.replies');
    expect(replies).toMatchObject({
      token: fake.botToken,
      params: { channel: 'C0CHANNEL2', ts: '1700000500.000100' },
    });
  });

  test('progress is posted once in the thread, then edited in place; the final answer is a reply, once', async () => {
    const ctx = contextFor(fake);
    fake.seed('C0CHANNEL3', { ts: '1700000600.000100', user: 'U0HUMAN001', text: 'help' });
    const base: RunReport = {
      runId: 'run_x',
      state: 'INPROGRESS',
      link: 'https://ambit.example/runs/run_x',
      title: 'help',
      statusMessage: 'Reading the logs',
      pullRequests: [],
      target: { team_id: fake.teamId, channel: 'C0CHANNEL3', thread_ts: '1700000600.000100' },
    };
    const first = await slackAdapter.reportRun!(ctx, base);
    expect(first).toMatchObject({ progress_ts: expect.any(String) });
    const second = await slackAdapter.reportRun!(ctx, { ...base, statusMessage: 'Running tests', target: first! });
    expect(second).toBeUndefined(); // nothing new to store
    const done = { ...base, state: 'SUCCEEDED', finalAnswer: 'The cache was stale; cleared it.', target: first! };
    const third = await slackAdapter.reportRun!(ctx, done);
    expect(third).toMatchObject({ progress_ts: first!['progress_ts'], answer_digest: expect.any(String) });
    // A repeated terminal report (a retried activity) does not post the answer twice.
    await slackAdapter.reportRun!(ctx, { ...done, target: third! });

    const thread = fake.thread('C0CHANNEL3', '1700000600.000100');
    const fromBot = thread.filter((m) => m.bot_id);
    expect(fromBot).toHaveLength(2);
    expect(fromBot[0]).toMatchObject({ ts: first!['progress_ts'], thread_ts: '1700000600.000100' });
    expect(fromBot[0]?.text).toContain(':white_check_mark: Done: <https://ambit.example/runs/run_x|help>');
    expect(fromBot[0]?.edited).toBeDefined();
    expect(fromBot[1]?.text).toBe(
      'The cache was stale; cleared it.\n\n<https://ambit.example/runs/run_x|View the run in Ambit>',
    );
    expect(fake.callsTo('chat.update').filter((c) => c.params['channel'] === 'C0CHANNEL3')).toHaveLength(3);
  });

  test('a deleted progress message is posted anew instead of failing every later report', async () => {
    const ctx = contextFor(fake);
    fake.seed('C0CHANNEL4', { ts: '1700000700.000100', user: 'U0HUMAN001', text: 'help' });
    const report: RunReport = {
      runId: 'run_d',
      state: 'INPROGRESS',
      link: 'https://ambit.example/runs/run_d',
      title: 'help',
      pullRequests: [],
      target: { team_id: fake.teamId, channel: 'C0CHANNEL4', thread_ts: '1700000700.000100', progress_ts: '1.000' },
    };
    const next = await slackAdapter.reportRun!(ctx, report);
    expect(next?.['progress_ts']).toEqual(expect.any(String));
    expect(next?.['progress_ts']).not.toBe('1.000');
    expect(fake.thread('C0CHANNEL4', '1700000700.000100').filter((m) => m.bot_id)).toHaveLength(1);
  });

  test('a wrong bot token surfaces Slack’s error', async () => {
    const ctx = contextFor(fake);
    const bad = { ...ctx, secret: (role: string) => Promise.resolve(role === 'bot_token' ? 'xoxb-wrong' : undefined) };
    const report: RunReport = {
      runId: 'run_y',
      state: 'QUEUED',
      link: 'https://ambit.example/runs/run_y',
      title: 't',
      pullRequests: [],
      target: { team_id: fake.teamId, channel: 'C0CHANNEL3', thread_ts: '1700000600.000100' },
    };
    await expect(slackAdapter.reportRun!(bad, report)).rejects.toThrow('invalid_auth');
  });

  test('register returns the manifest and the URLs to paste (Slack has no registration API)', async () => {
    const result = await slackAdapter.register!(contextFor(fake));
    expect(result.remoteHookId).toBeUndefined();
    expect(result.instructions).toContain('"request_url": "https://ambit.example/api/v1/hooks/int_slack_1"');
    expect(result.instructions).toContain('"app_mentions:read"');
    expect(result.instructions).toContain('SLACK_BOT_TOKEN');
    expect(result.instructions).toContain('SLACK_SIGNING_SECRET');
  });
});

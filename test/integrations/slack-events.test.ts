import fs from 'node:fs';
import path from 'node:path';
import { decideSlackEvent, slackMessageKey, stripBotMention } from '../../src/integrations/slack-events';
import { signSlackRequest, verifySlackSignature } from '../../src/integrations/slack-signature';
import { SlackConfigSchema, slackAppManifest, slackProgressText, SLACK_BOT_EVENTS } from '../../src/integrations/slack';

const fixture = (name: string): unknown =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/slack', name), 'utf8'));

describe('Slack request signatures (v0 HMAC-SHA256 over v0:timestamp:body)', () => {
  const example = fixture('signing-example.json') as {
    signing_secret: string;
    timestamp: string;
    body: string;
    signature: string;
  };
  const at = (seconds: number) => seconds * 1000;

  test("Slack's documented example verifies, and signing reproduces its signature", () => {
    expect(
      signSlackRequest({ signingSecret: example.signing_secret, timestamp: example.timestamp, body: example.body }),
    ).toBe(example.signature);
    expect(
      verifySlackSignature({
        signingSecret: example.signing_secret,
        timestamp: example.timestamp,
        signature: example.signature,
        rawBody: Buffer.from(example.body),
        now: at(Number(example.timestamp) + 10),
      }),
    ).toEqual({ ok: true });
  });

  test('a tampered body, a wrong secret or a changed timestamp fail', () => {
    const now = at(Number(example.timestamp));
    const base = { signingSecret: example.signing_secret, timestamp: example.timestamp, signature: example.signature };
    const tampered = verifySlackSignature({ ...base, rawBody: example.body.replace('roadrunner', 'coyote'), now });
    expect(tampered).toEqual({ ok: false, reason: expect.stringContaining('does not match') });
    expect(verifySlackSignature({ ...base, signingSecret: 'another-secret', rawBody: example.body, now }).ok).toBe(
      false,
    );
    const shifted = String(Number(example.timestamp) + 1);
    expect(verifySlackSignature({ ...base, timestamp: shifted, rawBody: example.body, now }).ok).toBe(false);
  });

  test('a request outside the 5-minute window is refused even with a valid signature', () => {
    const base = {
      signingSecret: example.signing_secret,
      timestamp: example.timestamp,
      signature: example.signature,
      rawBody: example.body,
    };
    expect(verifySlackSignature({ ...base, now: at(Number(example.timestamp) + 299) }).ok).toBe(true);
    const late = verifySlackSignature({ ...base, now: at(Number(example.timestamp) + 301) });
    expect(late).toEqual({ ok: false, reason: expect.stringContaining('replay window') });
    expect(verifySlackSignature({ ...base, now: at(Number(example.timestamp) - 301) }).ok).toBe(false);
  });

  test('missing or malformed headers are named', () => {
    const base = { signingSecret: 's', rawBody: '{}', now: at(1_700_000_000) };
    expect(verifySlackSignature({ ...base, timestamp: '1700000000', signature: undefined })).toEqual({
      ok: false,
      reason: 'missing X-Slack-Signature header',
    });
    expect(verifySlackSignature({ ...base, timestamp: undefined, signature: 'v0=00' })).toEqual({
      ok: false,
      reason: 'missing X-Slack-Request-Timestamp header',
    });
    expect(verifySlackSignature({ ...base, timestamp: 'yesterday', signature: 'v0=00' }).ok).toBe(false);
    expect(verifySlackSignature({ ...base, timestamp: '1700000000', signature: 'v0=short' }).ok).toBe(false);
  });
});

describe('Slack events', () => {
  test('url_verification answers with the challenge', () => {
    expect(decideSlackEvent(fixture('url-verification.json'))).toEqual({
      kind: 'url_verification',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
  });

  test('an app_mention is a message that mentions the bot, with the mention stripped, in a thread rooted at it', () => {
    const decision = decideSlackEvent(fixture('app-mention.json'));
    expect(decision).toEqual({
      kind: 'message',
      message: {
        thread: { teamId: 'T123ABC456', channel: 'C123ABC456', threadTs: '1515449522.000016' },
        ts: '1515449522.000016',
        user: 'U123ABC456',
        text: 'What is the hour of the pearl, ?',
        mentionsBot: true,
        eventId: 'Ev123ABC456',
      },
    });
  });

  test('a plain reply in a thread belongs to the thread of its parent and does not mention the bot', () => {
    const decision = decideSlackEvent(fixture('message-thread-reply.json'));
    expect(decision.kind).toBe('message');
    if (decision.kind !== 'message') return;
    expect(decision.message.thread.threadTs).toBe('1515449522.000016');
    expect(decision.message.mentionsBot).toBe(false);
    expect(decision.message.thread).toEqual({
      teamId: 'T123ABC456',
      channel: 'C123ABC456',
      threadTs: '1515449522.000016',
    });
  });

  test("the bot's own messages, edits and other subtypes are ignored", () => {
    expect(decideSlackEvent(fixture('message-from-bot.json'))).toMatchObject({ kind: 'ignore' });
    expect(decideSlackEvent(fixture('message-changed.json'))).toEqual({
      kind: 'ignore',
      reason: 'message subtype message_changed',
    });
    const own = fixture('message-thread-reply.json') as { event: { user: string } };
    own.event.user = 'U0LAN0Z89'; // the bot's user id, from authorizations
    expect(decideSlackEvent(own)).toEqual({ kind: 'ignore', reason: 'message from the bot' });
    expect(
      decideSlackEvent({ type: 'event_callback', team_id: 'T', event_id: 'E', event: { type: 'reaction_added' } }),
    ).toMatchObject({ kind: 'ignore', reason: 'unsupported event type reaction_added' });
  });

  test('the app_mention and the message event of one message are one delivery', () => {
    const mention = fixture('app-mention.json') as { event: Record<string, unknown>; event_id: string };
    const message = structuredClone(mention);
    message.event['type'] = 'message';
    message.event_id = 'Ev999OTHER';
    const a = decideSlackEvent(mention);
    const b = decideSlackEvent(message);
    if (a.kind !== 'message' || b.kind !== 'message') throw new Error('expected messages');
    expect(b.message.mentionsBot).toBe(true); // the text holds <@bot>
    expect(slackMessageKey(a.message)).toBe(slackMessageKey(b.message));
  });

  test('a direct message to the bot is addressed to it without a mention', () => {
    const dm = fixture('message-thread-reply.json') as { event: Record<string, unknown> };
    dm.event = {
      type: 'message',
      channel_type: 'im',
      channel: 'D0DM000001',
      user: 'U222BBB222',
      text: 'hi',
      ts: '1.2',
    };
    const decision = decideSlackEvent(dm);
    expect(decision).toMatchObject({ kind: 'message', message: { mentionsBot: true, thread: { threadTs: '1.2' } } });
  });

  test('mentions are stripped in both forms', () => {
    expect(stripBotMention('<@U0BOT> please   look', 'U0BOT')).toBe('please look');
    expect(stripBotMention('hey <@U0BOT|ambit>, look', 'U0BOT')).toBe('hey , look');
    expect(stripBotMention('<@U0OTHER> stays', 'U0BOT')).toBe('<@U0OTHER> stays');
  });

  test('the manifest carries the request URL, the scopes and the bot events', () => {
    const manifest = slackAppManifest({ name: 'Ambit', requestUrl: 'https://ambit.example/api/v1/hooks/int_1' });
    expect(manifest).toMatchObject({
      settings: { event_subscriptions: { request_url: 'https://ambit.example/api/v1/hooks/int_1' } },
      oauth_config: {
        scopes: { bot: expect.arrayContaining(['app_mentions:read', 'chat:write', 'channels:history']) },
      },
    });
    expect(SLACK_BOT_EVENTS).toEqual(expect.arrayContaining(['app_mention', 'message.channels']));
  });

  test('api_url may only point at Slack or GovSlack (or loopback for tests): the bot token is sent there', () => {
    const ok = (api_url: string) => SlackConfigSchema.safeParse({ api_url }).success;
    expect(ok('https://slack.com/api/')).toBe(true);
    expect(ok('https://slack-gov.com/api/')).toBe(true);
    expect(ok('http://localhost:9999/api/')).toBe(true);
    const evil = SlackConfigSchema.safeParse({ api_url: 'https://slack.com.collector.example/api/' });
    expect(evil.error?.issues[0]).toMatchObject({ path: ['api_url'], message: expect.stringContaining('slack.com') });
  });

  test('progress text links the run and escapes mrkdwn in titles', () => {
    const text = slackProgressText({
      state: 'INPROGRESS',
      link: 'https://ambit.example/runs/run_1',
      title: 'Fix <script> & co',
      statusMessage: 'Running tests',
      pullRequests: [],
    });
    expect(text).toBe(
      ':gear: Working on it: <https://ambit.example/runs/run_1|Fix &lt;script&gt; &amp; co>\n_Running tests_',
    );
  });
});

/**
 * Slack end to end on real parts (database, Temporal, workers, API over HTTP): the integration is created through
 * the API, signed Events API requests reach its hook URL, and the real `@slack/web-api` client reads the thread and
 * reports to a local server speaking Slack's Web API. Only Slack and the model provider are fakes.
 */
import { signSlackRequest } from '../../src/integrations/slack-signature';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startFakeSlack, type FakeSlack } from '../fixtures/slack/fake-slack';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];
const SIGNING_SECRET = 'e2e-slack-signing-secret-0123456789';
const CHANNEL = 'C0E2ECHAN1';

describe('Slack trigger', () => {
  let models: ScriptedModelServer;
  let slack: FakeSlack;
  let platform: TestPlatform;
  let integrationId: string;
  let instructions: string;

  beforeAll(async () => {
    models = await startScriptedModelServer();
    slack = await startFakeSlack();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m' },
    });
    const created = await platform.request('POST', '/integrations', {
      type: 'slack',
      name: 'e2e-workspace',
      config: { api_url: slack.apiUrl },
      secret_values: { bot_token: slack.botToken, signing_secret: SIGNING_SECRET },
    });
    expect(created.status).toBe(201);
    integrationId = created.body.id;
    instructions = created.body.instructions;
  });
  afterAll(async () => {
    await platform?.stop();
    await slack?.close();
    await models?.close();
  });

  async function deliver(body: unknown, headers: Record<string, string> = {}, secret = SIGNING_SECRET) {
    const raw = JSON.stringify(body);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${platform.api.url}/api/v1/hooks/${integrationId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signSlackRequest({ signingSecret: secret, timestamp, body: raw }),
        ...headers,
      },
      body: raw,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  function event(input: { id: string; type: 'app_mention' | 'message'; ts: string; threadTs?: string; text: string }) {
    return {
      token: 'legacy-verification-token',
      team_id: slack.teamId,
      api_app_id: 'A0E2EAPP01',
      type: 'event_callback',
      event_id: input.id,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: slack.teamId, user_id: slack.botUserId, is_bot: true }],
      event: {
        type: input.type,
        user: 'U0HUMAN001',
        text: input.text,
        ts: input.ts,
        ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
        channel: CHANNEL,
        channel_type: 'channel',
        event_ts: input.ts,
      },
    };
  }

  test('create prints the manifest with the hook URL; url_verification answers the challenge', async () => {
    const got = await platform.request('GET', `/integrations/${integrationId}`);
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body)).not.toContain(SIGNING_SECRET);
    expect(JSON.stringify(got.body)).not.toContain(slack.botToken);
    const manifest = JSON.parse(instructions.slice(instructions.indexOf('{'), instructions.lastIndexOf('}') + 1));
    expect(manifest.settings.event_subscriptions).toEqual({
      request_url: got.body.hook_url,
      bot_events: expect.arrayContaining(['app_mention', 'message.channels']),
    });
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['app_mentions:read', 'chat:write']));
    expect(instructions).toContain(got.body.secret_refs.bot_token);
    const res = await deliver({ type: 'url_verification', token: 't', challenge: 'e2e-challenge' });
    expect(res).toEqual({ status: 200, body: { challenge: 'e2e-challenge' } });
    const bad = await deliver({ type: 'url_verification', token: 't', challenge: 'x' }, {}, 'not-the-secret');
    expect(bad.status).toBe(401);
  });

  test('a mention starts one run (retries and the duplicate message event included), progress is edited in place, and a thread reply is a follow-up to the same run', async () => {
    models.addScript('slk', [{ text: 'The pearl hour is noon.' }, { text: 'Tide tables checked: high tide at 3pm.' }]);
    const rootTs = '1764400000.000100';
    const mentionText = `<@${slack.botUserId}> what is the hour of the pearl? [script:slk]`;
    slack.seed(CHANNEL, { ts: rootTs, user: 'U0HUMAN001', text: mentionText });

    const mention = event({ id: 'Ev0E2E0001', type: 'app_mention', ts: rootTs, text: mentionText });
    const first = await deliver(mention);
    expect(first.status).toBe(202);
    expect(first.body.runs).toEqual([expect.objectContaining({ outcome: 'started' })]);
    const runId: string = first.body.runs[0].run_id;

    // Slack retries the same event, and sends a `message` event for the same message: one run.
    const retry = await deliver(mention, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    const asMessage = await deliver(event({ id: 'Ev0E2E0002', type: 'message', ts: rootTs, text: mentionText }));
    for (const dup of [retry, asMessage]) {
      expect(dup.status).toBe(202);
      expect(dup.body.runs).toEqual([expect.objectContaining({ run_id: runId, outcome: 'duplicate' })]);
    }

    const done = await platform.waitForState(runId, TERMINAL);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.source).toBe('SLACK');
    // Slack's own permalink (chat.getPermalink knows the workspace's domain).
    expect(done.trigger_url).toBe(`https://fake.slack.com/archives/${CHANNEL}/p${rootTs.replace('.', '')}`);
    // The thread reached the model as context, read with conversations.replies.
    expect(JSON.stringify(models.callsFor('slk')[0]?.body)).toContain('Slack thread in channel');
    expect(slack.callsTo('conversations.replies')[0]).toMatchObject({
      token: slack.botToken,
      params: { channel: CHANNEL, ts: rootTs },
    });

    // One progress message in the thread, edited in place; the answer as a reply with the run's link.
    await slack.waitFor(
      () => slack.thread(CHANNEL, rootTs).some((m) => m.bot_id && m.text.startsWith('The pearl hour is noon.')),
      'the final answer posted in the thread',
    );
    let fromBot = slack.thread(CHANNEL, rootTs).filter((m) => m.bot_id);
    expect(fromBot).toHaveLength(2);
    const [progress, answer] = fromBot;
    expect(progress?.thread_ts).toBe(rootTs);
    expect(progress?.edited).toBeDefined();
    expect(answer?.text).toContain(`/runs/${runId}`);
    await slack.waitFor(
      () =>
        slack
          .messages(CHANNEL)
          .find((m) => m.ts === progress?.ts)
          ?.text.includes('Done') === true,
      'the progress message showing the final state',
    );
    const updates = slack.callsTo('chat.update').filter((c) => c.params['ts'] === progress?.ts);
    expect(updates.length).toBeGreaterThanOrEqual(1);

    // A plain reply in the thread (no mention) continues the same run.
    const replyTs = '1764400100.000100';
    slack.seed(CHANNEL, {
      ts: replyTs,
      thread_ts: rootTs,
      user: 'U0HUMAN002',
      text: 'Please also check the tide tables.',
    });
    const reply = await deliver(
      event({
        id: 'Ev0E2E0003',
        type: 'message',
        ts: replyTs,
        threadTs: rootTs,
        text: 'Please also check the tide tables.',
      }),
    );
    expect(reply.body.runs).toEqual([expect.objectContaining({ run_id: runId, outcome: 'followup' })]);
    const again = await deliver(
      event({
        id: 'Ev0E2E0003',
        type: 'message',
        ts: replyTs,
        threadTs: rootTs,
        text: 'Please also check the tide tables.',
      }),
      { 'x-slack-retry-num': '1' },
    );
    expect(again.body.runs).toEqual([expect.objectContaining({ run_id: runId, outcome: 'duplicate' })]);

    await slack.waitFor(
      () => slack.thread(CHANNEL, rootTs).some((m) => m.bot_id && m.text.startsWith('Tide tables checked')),
      'the follow-up answer posted in the thread',
    );
    const second = await platform.waitForState(runId, TERMINAL);
    expect(second.state).toBe('SUCCEEDED');
    const conversation = await platform.request('GET', `/agent/runs/${runId}/conversation`);
    expect(JSON.stringify(conversation.body)).toContain('Please also check the tide tables.');
    expect(JSON.stringify(conversation.body)).toContain('Tide tables checked: high tide at 3pm.');

    // Still one run for the thread, and still one progress message (edited), now with two answers.
    expect(await platform.database.db.run.count({ where: { source: 'SLACK' } })).toBe(1);
    fromBot = slack.thread(CHANNEL, rootTs).filter((m) => m.bot_id);
    expect(fromBot.map((m) => m.ts)).toEqual([progress?.ts, answer?.ts, expect.any(String)]);
    const threadPosts = slack.callsTo('chat.postMessage').filter((c) => c.params['thread_ts'] === rootTs);
    expect(threadPosts).toHaveLength(3);
  });

  test('a thread reply while the run is working reaches the running agent at its next step', async () => {
    models.addScript('slk-live', [
      { gate: 'slk-live-gate', toolCalls: [{ name: 'list_files', input: {} }] },
      { text: 'Looked at the files, and at the staging logs as asked.' },
    ]);
    const rootTs = '1764401000.000100';
    const text = `<@${slack.botUserId}> look at the files [script:slk-live]`;
    slack.seed(CHANNEL, { ts: rootTs, user: 'U0HUMAN001', text });
    const started = await deliver(event({ id: 'Ev0E2E0101', type: 'app_mention', ts: rootTs, text }));
    const runId: string = started.body.runs[0].run_id;
    await models.waitForGate('slk-live-gate');

    const replyTs = '1764401010.000100';
    const reply = await deliver(
      event({ id: 'Ev0E2E0102', type: 'message', ts: replyTs, threadTs: rootTs, text: 'Also read the staging logs.' }),
    );
    expect(reply.body.runs).toEqual([expect.objectContaining({ run_id: runId, outcome: 'followup' })]);
    models.release('slk-live-gate');
    const done = await platform.waitForState(runId, TERMINAL);
    expect(done.state).toBe('SUCCEEDED');
    // One execution: the follow-up was delivered to the working run, not a restart.
    const executions = [];
    for await (const w of platform.client.workflow.list({ query: `WorkflowId = '${runId}'` })) executions.push(w);
    expect(executions).toHaveLength(1);
    const calls = models.callsFor('slk-live');
    expect(JSON.stringify(calls[0]?.body)).not.toContain('Also read the staging logs.');
    expect(JSON.stringify(calls[1]?.body)).toContain('Also read the staging logs.');
  });

  test('created before the Slack app exists: deliveries are refused until the credentials are given', async () => {
    const created = await platform.request('POST', '/integrations', {
      type: 'slack',
      name: 'not-yet-installed',
      config: { api_url: slack.apiUrl },
    });
    expect(created.status).toBe(201);
    expect(created.body.instructions).toContain('secret_values.signing_secret');
    const hook = `${platform.api.url}/api/v1/hooks/${created.body.id}`;
    const challenge = JSON.stringify({ type: 'url_verification', token: 't', challenge: 'later' });
    const post = () => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      return fetch(hook, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': signSlackRequest({ signingSecret: SIGNING_SECRET, timestamp, body: challenge }),
        },
        body: challenge,
      });
    };
    expect((await post()).status).toBe(401);
    const status = await platform.request('GET', `/integrations/${created.body.id}`);
    expect(status.body.status.last_error).toContain('signing_secret');

    const updated = await platform.request('PATCH', `/integrations/${created.body.id}`, {
      secret_values: { signing_secret: SIGNING_SECRET, bot_token: slack.botToken },
    });
    expect(updated.status).toBe(200);
    const res = await post();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'later' });
  });

  test("the bot's own messages in the thread start and continue nothing", async () => {
    const res = await deliver({
      ...event({
        id: 'Ev0E2E0009',
        type: 'message',
        ts: '1764400200.000100',
        threadTs: '1764400000.000100',
        text: 'x',
      }),
      event: {
        type: 'message',
        subtype: 'bot_message',
        bot_id: 'B0BOT00001',
        text: 'progress',
        ts: '1764400200.000100',
        thread_ts: '1764400000.000100',
        channel: CHANNEL,
      },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ ignored: 'message from a bot', runs: [] });
  });
});

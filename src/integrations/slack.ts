/**
 * Slack: the Events API delivers to the integration's hook URL. A mention of the bot starts a run with the thread
 * as context; every later human message in that thread (mention or not) is a follow-up to the same run, because the
 * thread is the conversation key. Progress is one bot message in the thread, edited in place; the final answer is
 * a reply. Slack has no API to register an Events API URL, so `register` returns the app manifest to paste.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  createSlackClient,
  fetchSlackThread,
  formatSlackThread,
  postSlackReply,
  upsertSlackProgress,
} from './slack-client';
import { decideSlackEvent, slackMessageKey, slackMessageUrl, type SlackThread } from './slack-events';
import { verifySlackSignature } from './slack-signature';
import { SignatureError, type IntegrationAdapter, type IntegrationContext, type RunReport } from './types';
import { requiredSecret } from './required-secret';

const SLACK_API_HOSTS = new Set(['slack.com', 'slack-gov.com']);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export const SlackConfigSchema = z.object({
  /** The bot's user id (`U…`): its own messages are never input. Events also carry it in `authorizations`. */
  bot_user_id: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,}$/, 'bot_user_id must be a Slack user id such as U0123ABCD')
    .optional(),
  /**
   * The Web API base URL: Slack's (default) or GovSlack's. A loopback URL is accepted for local test servers. Any
   * other host is refused: the bot token is sent there, and secrets are write-only, so an admin must not be able to
   * redirect it to a server of their own.
   */
  api_url: z
    .url({ protocol: /^https?$/, error: 'api_url must be an http(s) URL such as https://slack.com/api/' })
    .refine(
      (u) => SLACK_API_HOSTS.has(new URL(u).host) || LOOPBACK.has(new URL(u).hostname),
      `api_url must be on ${[...SLACK_API_HOSTS].join(' or ')} (or a loopback address for tests)`,
    )
    .optional(),
  /** The app's name in the manifest `ambit integration create slack` prints. */
  app_name: z.string().min(1).max(35, 'app_name is at most 35 characters (Slack limit)').optional(),
});
export type SlackConfig = z.infer<typeof SlackConfigSchema>;

/** The bot scopes the trigger needs: see mentions and thread messages, read threads, post and edit its messages. */
export const SLACK_BOT_SCOPES = [
  'app_mentions:read',
  'channels:history',
  'groups:history',
  'im:history',
  'mpim:history',
  'chat:write',
] as const;
export const SLACK_BOT_EVENTS = [
  'app_mention',
  'message.channels',
  'message.groups',
  'message.im',
  'message.mpim',
] as const;

/** A Slack app manifest (https://api.slack.com/reference/manifests) for this integration. */
export function slackAppManifest(input: { name: string; requestUrl: string }): Record<string, unknown> {
  return {
    display_information: { name: input.name, description: 'Ambient agents: mention me in a thread to start a run' },
    features: { bot_user: { display_name: input.name, always_online: true } },
    oauth_config: { scopes: { bot: [...SLACK_BOT_SCOPES] } },
    settings: {
      event_subscriptions: { request_url: input.requestUrl, bot_events: [...SLACK_BOT_EVENTS] },
      org_deploy_enabled: false,
      socket_mode_enabled: false,
      token_rotation_enabled: false,
    },
  };
}

export function slackSetupInstructions(input: {
  name: string;
  requestUrl: string;
  secretRefs: Record<string, string>;
}): string {
  const manifest = JSON.stringify(slackAppManifest(input), null, 2);
  const stored = (role: string) => input.secretRefs[role];
  const credentials =
    stored('bot_token') && stored('signing_secret')
      ? [
          `3. The integration reads the bot token from the team secret ${stored('bot_token')} and the signing secret from`,
          `   ${stored('signing_secret')}: make sure they hold this app's "Bot User OAuth Token" (after installing it) and`,
          `   "Signing Secret" (Basic Information → App Credentials).`,
        ]
      : [
          '3. Give the integration the app\'s "Signing Secret" (Basic Information → App Credentials) and, after installing',
          '   the app to the workspace, its "Bot User OAuth Token" (xoxb-…): update it with secret_values.signing_secret',
          '   and secret_values.bot_token. Until then Slack\'s URL check fails: click "Retry" under Event Subscriptions.',
        ];
  return [
    'Slack has no API to register an Events API endpoint. To connect this integration:',
    '1. At https://api.slack.com/apps choose "Create New App" → "From an app manifest", pick the workspace and paste:',
    '',
    manifest,
    '',
    `2. Events API request URL (already in the manifest): ${input.requestUrl}`,
    ...credentials,
    '4. Install the app to the workspace, invite the bot to a channel and mention it in a message or thread.',
  ].join('\n');
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED']);
const STATE_LINE: Record<string, string> = {
  QUEUED: ':hourglass_flowing_sand: Queued',
  PENDING: ':hourglass_flowing_sand: Starting',
  CLAIMED: ':hourglass_flowing_sand: Starting',
  INPROGRESS: ':gear: Working on it',
  BLOCKED: ':raised_hand: Waiting for approval',
  SUCCEEDED: ':white_check_mark: Done',
  FAILED: ':x: Failed',
  ERROR: ':warning: Stopped by an error',
  CANCELLED: ':no_entry_sign: Cancelled',
};

/** The progress message for a report (mrkdwn: `<url|label>` links). */
export function slackProgressText(
  report: Pick<RunReport, 'state' | 'link' | 'title' | 'statusMessage' | 'pullRequests'>,
): string {
  const lines = [`${STATE_LINE[report.state] ?? report.state}: <${report.link}|${escapeMrkdwn(report.title)}>`];
  if (report.statusMessage && !TERMINAL.has(report.state))
    lines.push(`_${escapeMrkdwn(report.statusMessage.slice(0, 500))}_`);
  if (report.state === 'FAILED' || report.state === 'ERROR') {
    if (report.statusMessage) lines.push(escapeMrkdwn(report.statusMessage.slice(0, 1_000)));
  }
  for (const pr of report.pullRequests) lines.push(`Pull request: <${pr.url}>`);
  return lines.join('\n');
}

/** Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Where a run reports in Slack, stored in run_triggers.target. */
export const SlackTargetSchema = z.object({
  team_id: z.string(),
  channel: z.string(),
  thread_ts: z.string(),
  /** The progress message, once posted. */
  progress_ts: z.string().optional(),
  /** Digest of the last final answer posted, so a repeated report does not post it twice. */
  answer_digest: z.string().optional(),
});

async function slackClientFor(ctx: IntegrationContext) {
  const config = SlackConfigSchema.parse(ctx.integration.config);
  return createSlackClient({ token: await requiredSecret(ctx, 'bot_token'), apiUrl: config.api_url });
}

export const slackAdapter: IntegrationAdapter = {
  type: 'slack',
  source: 'SLACK',
  configSchema: SlackConfigSchema,
  secretRoles: [
    // Not required at creation: the Slack app is made from the manifest that creation returns, so its credentials
    // exist only afterwards. Until they are given, deliveries are refused (401) and the status shows why.
    {
      role: 'bot_token',
      required: false,
      description: 'the Bot User OAuth Token (xoxb-…) of the Slack app; needed to read threads and reply',
    },
    {
      role: 'signing_secret',
      required: false,
      description: "the Slack app's Signing Secret; needed before any event is accepted",
    },
  ],

  async handleRequest(ctx, req) {
    const config = SlackConfigSchema.parse(ctx.integration.config);
    const signingSecret = await ctx.secret('signing_secret');
    if (!signingSecret) throw new SignatureError('the integration has no signing_secret configured');
    const check = verifySlackSignature({
      signingSecret,
      timestamp: req.headers['x-slack-request-timestamp'],
      signature: req.headers['x-slack-signature'],
      rawBody: req.rawBody,
      now: ctx.now().getTime(),
    });
    if (!check.ok) throw new SignatureError(check.reason);

    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      return { kind: 'ignore', reason: 'the body is not JSON (interactivity and slash commands are not handled)' };
    }
    const decision = decideSlackEvent(body, { botUserId: config.bot_user_id });
    if (decision.kind === 'url_verification') {
      return { kind: 'respond', status: 200, body: { challenge: decision.challenge } };
    }
    if (decision.kind === 'ignore') return { kind: 'ignore', reason: decision.reason };

    const { message } = decision;
    const { thread } = message;
    // Only a message that may start a run needs its link (trigger_url); follow-ups skip the call.
    const triggerUrl = message.mentionsBot ? await messageLink(ctx, thread, message.ts) : undefined;
    return {
      kind: 'events',
      events: [
        {
          // Keyed by the message, not the event: Slack sends `app_mention` and `message` for one mention, and
          // resends both on retries (X-Slack-Retry-Num); all of them are one delivery.
          deliveryId: slackMessageKey(message),
          conversationKey: `slack:${thread.teamId}:${thread.channel}:${thread.threadTs}`,
          prompt: message.text || 'Answer the request in this Slack thread.',
          startsRun: message.mentionsBot,
          // Without text (a bare mention) the thread is the request; otherwise the title comes from the prompt.
          ...(message.text ? {} : { title: `Slack thread in ${thread.channel}` }),
          ...(triggerUrl ? { triggerUrl } : {}),
          target: { team_id: thread.teamId, channel: thread.channel, thread_ts: thread.threadTs },
          actor: message.user,
          buildContext: () => buildThreadContext(ctx, thread, triggerUrl),
        },
      ],
    };
  },

  async reportRun(ctx, report) {
    const target = SlackTargetSchema.parse(report.target);
    const client = await slackClientFor(ctx);
    const next = { ...target };
    next.progress_ts = await upsertSlackProgress(client, {
      channel: target.channel,
      threadTs: target.thread_ts,
      messageTs: target.progress_ts,
      text: slackProgressText(report),
    });
    if (TERMINAL.has(report.state) && report.finalAnswer) {
      const digest = createHash('sha256').update(`${report.state}\0${report.finalAnswer}`).digest('hex').slice(0, 16);
      if (digest !== target.answer_digest) {
        await postSlackReply(client, {
          channel: target.channel,
          threadTs: target.thread_ts,
          text: `${report.finalAnswer}\n\n<${report.link}|View the run in Ambit>`,
        });
        next.answer_digest = digest;
      }
    }
    const changed = next.progress_ts !== target.progress_ts || next.answer_digest !== target.answer_digest;
    return changed ? next : undefined;
  },

  register(ctx) {
    const config = SlackConfigSchema.parse(ctx.integration.config);
    return Promise.resolve({
      instructions: slackSetupInstructions({
        name: config.app_name ?? 'Ambit',
        requestUrl: ctx.hookUrl,
        secretRefs: ctx.integration.secretRefs,
      }),
    });
  },
};

/** The thread as the run's context, read with the bot's token when the run starts. */
async function buildThreadContext(
  ctx: IntegrationContext,
  thread: SlackThread,
  permalink: string | undefined,
): Promise<{ text: string }> {
  const entries = await fetchSlackThread(await slackClientFor(ctx), thread);
  return { text: formatSlackThread({ thread, entries, permalink }) };
}

/** The message's permalink from Slack (it knows the workspace's domain); a generic archives link when that fails. */
async function messageLink(ctx: IntegrationContext, thread: SlackThread, ts: string): Promise<string> {
  try {
    const found = await (await slackClientFor(ctx)).chat.getPermalink({ channel: thread.channel, message_ts: ts });
    if (found.permalink) return found.permalink;
  } catch (err) {
    // The link is a convenience: the run starts without Slack's own link rather than not at all.
    ctx.logger.warn({ err }, 'chat.getPermalink failed; trigger_url falls back to an archives link');
  }
  return slackMessageUrl({ teamId: thread.teamId, channel: thread.channel, ts, threadTs: thread.threadTs });
}

/**
 * Slack Events API payloads (https://api.slack.com/apis/events-api) reduced to what a trigger decides on. Pure: no
 * I/O, so every branch is unit-tested on Slack's documented sample payloads.
 */
import { z } from 'zod';

export const SlackUrlVerificationSchema = z.object({
  type: z.literal('url_verification'),
  challenge: z.string().min(1),
  token: z.string().optional(),
});

/** The message-like inner events a trigger reacts to: `app_mention` and `message` (channels, groups, im, mpim). */
export const SlackMessageEventSchema = z.object({
  type: z.enum(['app_mention', 'message']),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional().default(''),
  ts: z.string(),
  thread_ts: z.string().optional(),
  channel: z.string(),
  channel_type: z.string().optional(),
  event_ts: z.string().optional(),
});
export type SlackMessageEvent = z.infer<typeof SlackMessageEventSchema>;

export const SlackEventCallbackSchema = z.object({
  type: z.literal('event_callback'),
  team_id: z.string(),
  api_app_id: z.string().optional(),
  event_id: z.string(),
  event_time: z.number().optional(),
  event: z.looseObject({ type: z.string() }),
  authorizations: z.array(z.looseObject({ user_id: z.string().optional(), is_bot: z.boolean().optional() })).optional(),
});
export type SlackEventCallback = z.infer<typeof SlackEventCallbackSchema>;

/** A thread is identified by the workspace, the channel and the ts of its first message. */
export interface SlackThread {
  teamId: string;
  channel: string;
  threadTs: string;
}

/** One human message in a thread, the unit a trigger turns into a run or a follow-up. */
export interface SlackThreadMessage {
  thread: SlackThread;
  /** The message's own ts: with the channel, what identifies it (an `app_mention` and a `message` event for one
   * message carry different event ids but the same ts). */
  ts: string;
  user: string;
  /** The text with mentions of the bot removed. */
  text: string;
  mentionsBot: boolean;
  eventId: string;
}

export type SlackEventDecision =
  | { kind: 'url_verification'; challenge: string }
  | { kind: 'message'; message: SlackThreadMessage }
  | { kind: 'ignore'; reason: string };

/** Subtypes of human messages worth acting on; every other subtype (edits, deletions, joins, bots) is ignored. */
const HUMAN_SUBTYPES = new Set(['thread_broadcast', 'file_share']);

/** Removes `<@BOTID>` (and `<@BOTID|name>`) mentions and collapses the whitespace left behind. */
export function stripBotMention(text: string, botUserId: string | undefined): string {
  const pattern = botUserId ? new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g') : /^\s*<@[A-Z0-9]+(?:\|[^>]*)?>/;
  return text
    .replace(pattern, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/**
 * What to do with one Events API request body (already signature-checked). `botUserId` is the bot's own user id
 * (from the integration's config or the event's `authorizations`): its own messages are never input.
 */
export function decideSlackEvent(body: unknown, options: { botUserId?: string } = {}): SlackEventDecision {
  const verification = SlackUrlVerificationSchema.safeParse(body);
  if (verification.success) return { kind: 'url_verification', challenge: verification.data.challenge };
  const callback = SlackEventCallbackSchema.safeParse(body);
  if (!callback.success) {
    const type = typeof body === 'object' && body !== null ? (body as { type?: unknown }).type : undefined;
    return { kind: 'ignore', reason: `unsupported payload type ${JSON.stringify(type ?? null)}` };
  }
  const envelope = callback.data;
  const parsed = SlackMessageEventSchema.safeParse(envelope.event);
  if (!parsed.success) return { kind: 'ignore', reason: `unsupported event type ${envelope.event.type}` };
  const event = parsed.data;
  const botUserId = options.botUserId ?? envelope.authorizations?.find((a) => a.is_bot)?.user_id;
  if (event.bot_id !== undefined || event.subtype === 'bot_message') {
    return { kind: 'ignore', reason: 'message from a bot' };
  }
  if (event.subtype !== undefined && !HUMAN_SUBTYPES.has(event.subtype)) {
    return { kind: 'ignore', reason: `message subtype ${event.subtype}` };
  }
  if (!event.user) return { kind: 'ignore', reason: 'message without a user' };
  if (botUserId !== undefined && event.user === botUserId) return { kind: 'ignore', reason: 'message from the bot' };
  // A direct message to the bot is addressed to it without a mention.
  const mentionsBot =
    event.type === 'app_mention' ||
    event.channel_type === 'im' ||
    (botUserId !== undefined && event.text.includes(`<@${botUserId}`));
  return {
    kind: 'message',
    message: {
      thread: { teamId: envelope.team_id, channel: event.channel, threadTs: event.thread_ts ?? event.ts },
      ts: event.ts,
      user: event.user,
      text: stripBotMention(event.text, botUserId),
      mentionsBot,
      eventId: envelope.event_id,
    },
  };
}

/** The delivery key of one message in a thread: one message yields at most one run start or follow-up. */
export function slackMessageKey(message: Pick<SlackThreadMessage, 'thread' | 'ts'>): string {
  return `slack:${message.thread.teamId}:${message.thread.channel}:${message.ts}`;
}

/** A link to a message for `trigger_url` (the archives URL Slack redirects to the workspace). */
export function slackMessageUrl(input: { teamId: string; channel: string; ts: string; threadTs?: string }): string {
  const base = `https://slack.com/archives/${input.channel}/p${input.ts.replace('.', '')}`;
  return input.threadTs && input.threadTs !== input.ts
    ? `${base}?thread_ts=${input.threadTs}&cid=${input.channel}`
    : base;
}

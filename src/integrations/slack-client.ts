/**
 * What the Slack trigger asks of the Web API, through `@slack/web-api`: read a thread (`conversations.replies`),
 * post the progress message once and edit it in place (`chat.postMessage`, `chat.update`), reply with the answer.
 */
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import type { SlackThread } from './slack-events';

export const SLACK_API_URL = 'https://slack.com/api/';
/** Slack rejects message text over 40,000 characters; stay well below with room for the link. */
const MAX_TEXT = 39_000;
/** Threads longer than this are cut to their first message and the latest ones (the context stays readable). */
const MAX_THREAD_MESSAGES = 200;

export function createSlackClient(input: { token: string; apiUrl?: string }): WebClient {
  return new WebClient(input.token, {
    slackApiUrl: input.apiUrl ?? SLACK_API_URL,
    // Reports run inside activities with their own retry policy; the client only smooths over a rate limit.
    retryConfig: { retries: 1, factor: 1, minTimeout: 500, maxTimeout: 2_000 },
    timeout: 15_000,
    logLevel: LogLevel.ERROR,
  });
}

export interface SlackThreadEntry {
  ts: string;
  user?: string;
  fromBot: boolean;
  text: string;
}

/** The messages of a thread, oldest first, following `conversations.replies` pagination. */
export async function fetchSlackThread(client: WebClient, thread: SlackThread): Promise<SlackThreadEntry[]> {
  const entries: SlackThreadEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.conversations.replies({
      channel: thread.channel,
      ts: thread.threadTs,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    for (const m of page.messages ?? []) {
      if (!m.ts) continue;
      entries.push({ ts: m.ts, user: m.user, fromBot: m.bot_id !== undefined, text: m.text ?? '' });
    }
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor && entries.length < 1_000);
  return entries;
}

/** A thread as run context: who said what, the bot's own messages marked, long threads cut in the middle. */
export function formatSlackThread(input: {
  thread: SlackThread;
  entries: SlackThreadEntry[];
  permalink?: string;
}): string {
  const { thread, entries } = input;
  const kept =
    entries.length > MAX_THREAD_MESSAGES
      ? [...entries.slice(0, 1), ...entries.slice(entries.length - (MAX_THREAD_MESSAGES - 1))]
      : entries;
  const lines = [`Slack thread in channel ${thread.channel}${input.permalink ? ` (${input.permalink})` : ''}:`, ''];
  for (const [i, e] of kept.entries()) {
    if (i === 1 && kept.length < entries.length) lines.push(`[… ${entries.length - kept.length} messages omitted …]`);
    const who = e.fromBot ? 'ambit (bot)' : e.user ? `<@${e.user}>` : 'someone';
    lines.push(`${who}: ${e.text}`);
  }
  return lines.join('\n');
}

export function truncateSlackText(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}\n… (truncated; the full text is on the run page)`;
}

/** Posts the progress message into the thread, or edits it in place when it was posted before. Returns its ts. */
export async function upsertSlackProgress(
  client: WebClient,
  input: { channel: string; threadTs: string; messageTs?: string; text: string },
): Promise<string> {
  const text = truncateSlackText(input.text);
  if (input.messageTs) {
    try {
      await client.chat.update({ channel: input.channel, ts: input.messageTs, text });
      return input.messageTs;
    } catch (err) {
      // Someone deleted the progress message: post a new one rather than failing every later report.
      if (slackErrorCode(err) !== 'message_not_found') throw err;
    }
  }
  const posted = await client.chat.postMessage({ channel: input.channel, thread_ts: input.threadTs, text });
  if (!posted.ts) throw new Error('chat.postMessage answered without the message ts');
  return posted.ts;
}

/** The `error` of an `ok: false` answer (e.g. `message_not_found`), or undefined for other failures. */
export function slackErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, data } = err as { code?: unknown; data?: { error?: unknown } };
  return code === ErrorCode.PlatformError && typeof data?.error === 'string' ? data.error : undefined;
}

/** Posts a reply in the thread (the final answer). Returns its ts. */
export async function postSlackReply(
  client: WebClient,
  input: { channel: string; threadTs: string; text: string },
): Promise<string> {
  const posted = await client.chat.postMessage({
    channel: input.channel,
    thread_ts: input.threadTs,
    text: truncateSlackText(input.text),
  });
  if (!posted.ts) throw new Error('chat.postMessage answered without the message ts');
  return posted.ts;
}

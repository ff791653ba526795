/**
 * Slack request signing (https://api.slack.com/authentication/verifying-requests-from-slack): Slack sends
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{X-Slack-Request-Timestamp}:{raw body}" under the signing secret>`.
 * A request older (or newer) than five minutes is refused, so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SLACK_SIGNATURE_VERSION = 'v0';
/** Slack's documented replay window. */
export const SLACK_REPLAY_WINDOW_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** The `X-Slack-Signature` value for a body, as Slack computes it (also used by tests and the fake Slack). */
export function signSlackRequest(input: { signingSecret: string; timestamp: string | number; body: string }): string {
  const base = `${SLACK_SIGNATURE_VERSION}:${input.timestamp}:${input.body}`;
  return `${SLACK_SIGNATURE_VERSION}=${createHmac('sha256', input.signingSecret).update(base).digest('hex')}`;
}

/** Constant-time comparison of two signatures of possibly different lengths. */
export function signaturesEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(received, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function verifySlackSignature(input: {
  signingSecret: string;
  /** `X-Slack-Request-Timestamp` (Unix seconds). */
  timestamp: string | undefined;
  /** `X-Slack-Signature`. */
  signature: string | undefined;
  rawBody: Buffer | string;
  /** Now, in milliseconds (injectable for tests). */
  now?: number;
}): SignatureCheck {
  if (!input.signature) return { ok: false, reason: 'missing X-Slack-Signature header' };
  if (!input.timestamp) return { ok: false, reason: 'missing X-Slack-Request-Timestamp header' };
  if (!/^\d{1,12}$/.test(input.timestamp)) {
    return { ok: false, reason: 'X-Slack-Request-Timestamp must be Unix seconds' };
  }
  const ageSeconds = Math.abs((input.now ?? Date.now()) / 1000 - Number(input.timestamp));
  if (ageSeconds > SLACK_REPLAY_WINDOW_SECONDS) {
    return { ok: false, reason: 'X-Slack-Request-Timestamp is outside the 5-minute replay window' };
  }
  const body = typeof input.rawBody === 'string' ? input.rawBody : input.rawBody.toString('utf8');
  const expected = signSlackRequest({ signingSecret: input.signingSecret, timestamp: input.timestamp, body });
  if (!signaturesEqual(expected, input.signature)) {
    return { ok: false, reason: 'X-Slack-Signature does not match the request body and signing secret' };
  }
  return { ok: true };
}

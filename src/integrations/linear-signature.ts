/**
 * Linear webhook signing (https://linear.app/developers/webhooks#securing-webhooks): the `Linear-Signature` header
 * is the hex HMAC-SHA256 of the raw body under the webhook's signing secret, and the body's `webhookTimestamp`
 * (Unix milliseconds) must be within a minute of now so a captured delivery cannot be replayed.
 */
import { createHmac } from 'node:crypto';
import { signaturesEqual, type SignatureCheck } from './slack-signature';

/** Linear's documented replay window. */
export const LINEAR_REPLAY_WINDOW_MS = 60 * 1000;

/** The `Linear-Signature` value for a body, as Linear computes it. */
export function signLinearBody(input: { secret: string; body: string }): string {
  return createHmac('sha256', input.secret).update(input.body).digest('hex');
}

export function verifyLinearSignature(input: {
  secret: string;
  /** `Linear-Signature`. */
  signature: string | undefined;
  rawBody: Buffer | string;
  now?: number;
}): SignatureCheck {
  if (!input.signature) return { ok: false, reason: 'missing Linear-Signature header' };
  const body = typeof input.rawBody === 'string' ? input.rawBody : input.rawBody.toString('utf8');
  if (!signaturesEqual(signLinearBody({ secret: input.secret, body }), input.signature.toLowerCase())) {
    return { ok: false, reason: 'Linear-Signature does not match the request body and signing secret' };
  }
  // Only after the signature holds is the body trusted enough to read its timestamp.
  let timestamp: unknown;
  try {
    timestamp = (JSON.parse(body) as { webhookTimestamp?: unknown }).webhookTimestamp;
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
    return { ok: false, reason: 'webhookTimestamp is missing from the body' };
  }
  if (Math.abs((input.now ?? Date.now()) - timestamp) > LINEAR_REPLAY_WINDOW_MS) {
    return { ok: false, reason: 'webhookTimestamp is outside the one-minute replay window' };
  }
  return { ok: true };
}

/**
 * Generic webhooks: any system that can sign a POST starts runs. The sender signs `<timestamp>.<raw body>` with
 * HMAC-SHA256 under the integration's secret and sends:
 *
 *   X-Ambit-Timestamp: <unix seconds>
 *   X-Ambit-Signature: sha256=<hex digest>
 *   X-Ambit-Delivery:  <unique id of this delivery>   (optional; exactly-once key, defaults to the signature)
 *
 * Requests older or newer than the replay window (300 s by default) are refused, so a captured request cannot be
 * replayed later; within the window the delivery id makes a replay return the run it already started.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../services/app-error';
import { renderTemplate } from './template';
import { SignatureError, type IntegrationAdapter } from './types';

export const WEBHOOK_SIGNATURE_HEADER = 'x-ambit-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-ambit-timestamp';
export const WEBHOOK_DELIVERY_HEADER = 'x-ambit-delivery';
export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;
/** Payloads up to this size are also quoted in the prompt; all are attached as payload.json. */
const INLINE_PAYLOAD_CHARS = 8_000;

export const WebhookConfigSchema = z.object({
  prompt_template: z
    .string()
    .min(1, 'prompt_template must not be empty; e.g. "Investigate alert {{alert.name}}"')
    .max(100_000),
  title_template: z.string().min(1).max(300).optional(),
  /** Events whose rendered key is equal reach the same run (e.g. "{{incident.id}}"); default: one run per delivery. */
  conversation_template: z.string().min(1).max(300).optional(),
  replay_window_seconds: z.number().int().min(10).max(86_400).optional(),
});

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): what senders compute. */
export function signWebhook(secret: string, timestamp: string, body: Buffer | string): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return `sha256=${mac.digest('hex')}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const webhookAdapter: IntegrationAdapter = {
  type: 'webhook',
  source: 'WEBHOOK',
  configSchema: WebhookConfigSchema,
  secretRoles: [
    { role: 'webhook_secret', required: true, description: 'shared secret the sender signs each request with' },
  ],

  async handleRequest(ctx, req) {
    const config = WebhookConfigSchema.parse(ctx.integration.config);
    const secret = await ctx.secret('webhook_secret');
    if (!secret) throw new SignatureError('the integration has no webhook_secret configured');
    const signature = req.headers[WEBHOOK_SIGNATURE_HEADER];
    const timestamp = req.headers[WEBHOOK_TIMESTAMP_HEADER];
    if (!signature) throw new SignatureError(`missing ${WEBHOOK_SIGNATURE_HEADER} header (sha256=<hex>)`);
    if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
      throw new SignatureError(`missing or malformed ${WEBHOOK_TIMESTAMP_HEADER} header (unix seconds)`);
    }
    if (!safeEqual(signWebhook(secret, timestamp, req.rawBody), signature)) {
      throw new SignatureError(`${WEBHOOK_SIGNATURE_HEADER} does not match the body and timestamp`);
    }
    // Checked after the signature, so the timestamp judged is one the sender vouched for.
    const window = config.replay_window_seconds ?? DEFAULT_REPLAY_WINDOW_SECONDS;
    const age = Math.floor(ctx.now().getTime() / 1000) - Number(timestamp);
    if (Math.abs(age) > window) {
      throw new SignatureError(
        `${WEBHOOK_TIMESTAMP_HEADER} is ${age} s from now, outside the ${window} s replay window`,
      );
    }

    const text = req.rawBody.toString('utf8');
    let payload: unknown;
    try {
      payload = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      throw new AppError('invalid_request', 'body: must be JSON (the template renders fields of the payload)');
    }
    const deliveryId = req.headers[WEBHOOK_DELIVERY_HEADER] ?? signature;
    const conversation = config.conversation_template
      ? renderTemplate(config.conversation_template, payload).trim()
      : '';
    const prompt = renderTemplate(config.prompt_template, payload).trim();
    if (!prompt) return { kind: 'ignore', reason: 'the prompt template rendered empty for this payload' };
    const pretty = JSON.stringify(payload, null, 2);
    return {
      kind: 'events',
      events: [
        {
          deliveryId,
          ...(conversation ? { conversationKey: `webhook:${conversation}` } : {}),
          prompt,
          startsRun: true,
          ...(config.title_template ? { title: renderTemplate(config.title_template, payload).trim() } : {}),
          triggerUrl: `${ctx.hookUrl}#${encodeURIComponent(deliveryId)}`,
          target: { delivery_id: deliveryId },
          buildContext: () =>
            Promise.resolve({
              text:
                pretty.length <= INLINE_PAYLOAD_CHARS
                  ? `Webhook payload (also in attachments/payload.json):\n\n\`\`\`json\n${pretty}\n\`\`\``
                  : 'The webhook payload is in attachments/payload.json.',
              attachments: [
                {
                  file_name: 'payload.json',
                  mime_type: 'application/json',
                  data: Buffer.from(pretty).toString('base64'),
                },
              ],
            }),
        },
      ],
    };
  },

  register(ctx) {
    return Promise.resolve({
      instructions:
        `POST events to ${ctx.hookUrl} with headers X-Ambit-Timestamp (unix seconds), ` +
        'X-Ambit-Signature (sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the webhook secret) and ' +
        'X-Ambit-Delivery (a unique id per event).',
    });
  },
};

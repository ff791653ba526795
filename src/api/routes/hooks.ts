/**
 * Inbound deliveries from integrations: `POST /api/v1/hooks/{integrationId}`. No API key: each request is
 * authenticated by its integration's own signature scheme, over the raw body (so this router runs before the JSON
 * parser and before API-key authentication).
 */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import express, { Router } from 'express';
import { z } from 'zod';
import type { ServiceDeps } from '../../services/deps';
import { receiveDelivery } from '../../services/triggers/receive-delivery';
/** GitHub caps deliveries at 25 MB. */
const MAX_HOOK_BODY = '25mb';

export function hooksRouter(deps: ServiceDeps): Router {
  const router = Router();
  router.post('/hooks/:integrationId', express.raw({ type: () => true, limit: MAX_HOOK_BODY }), async (req, res) => {
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v[0] : v;
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const out = await receiveDelivery(deps, { integrationId: req.params.integrationId, request: { headers, rawBody } });
    res.status(out.status).json(out.body);
  });
  return router;
}

export const DeliveryResultSchema = z
  .object({
    ignored: z.string().optional().meta({ description: 'Why nothing was done (verified, but not an event we act on)' }),
    runs: z.array(
      z.object({
        run_id: z.string().optional(),
        delivery_id: z.string(),
        outcome: z.enum(['started', 'followup', 'duplicate', 'ignored']),
        reason: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'HookDeliveryResult' });

export function registerHookPaths(
  registry: OpenAPIRegistry,
  h: {
    path: (p: string) => string;
    json: <T extends z.ZodType>(description: string, schema: T) => ResponseConfig;
    problem: (description: string) => ResponseConfig;
  },
): void {
  registry.registerPath({
    method: 'post',
    path: h.path('/hooks/{integrationId}'),
    operationId: 'deliverIntegrationEvent',
    summary: 'Deliver an event to an integration (GitHub, Slack, Linear or a generic webhook)',
    description:
      'Authenticated by the integration’s signature, not an API key. Generic webhooks sign ' +
      '"<X-Ambit-Timestamp>.<raw body>" with HMAC-SHA256 under the integration’s webhook secret and send ' +
      'X-Ambit-Signature: sha256=<hex>, X-Ambit-Timestamp (unix seconds; 300 s replay window) and X-Ambit-Delivery ' +
      '(unique per event: a repeated delivery returns the run it started). GitHub deliveries carry ' +
      'X-Hub-Signature-256, X-GitHub-Event and X-GitHub-Delivery.',
    tags: ['integrations'],
    request: {
      params: z.object({ integrationId: z.string().min(1).meta({ description: 'Integration id (int_…)' }) }),
      body: { required: true, content: { 'application/json': { schema: z.unknown() } } },
    },
    responses: {
      200: { description: 'A direct answer to the service (GitHub ping, Slack url_verification)' },
      202: h.json('Accepted: the runs it started or continued, or why it was ignored', DeliveryResultSchema),
      400: h.problem('The body is not what the integration expects (invalid_request)'),
      401: h.problem('Missing, wrong or expired signature (authentication_required)'),
      404: h.problem('No enabled integration with this id (resource_not_found)'),
    },
  });
}

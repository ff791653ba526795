/**
 * The codec endpoint for the Temporal Web UI (Temporal's codec-server protocol): `POST
 * /temporal-codec/decode` and `/encode` take `{payloads: [...]}` and answer the same shape. Set the UI's codec
 * endpoint to `<AMBIT_PUBLIC_URL>/api/v1/temporal-codec`. Mounted before the general authentication so that the
 * browser's CORS preflight (which carries no credentials) is answered; the POSTs authenticate with a Bearer API key
 * or the Ambit session cookie and need an admin key, because the namespace holds every team's runs. Cross-origin
 * requests are accepted only from the configured UI origin (AMBIT_TEMPORAL_CODEC_ORIGIN, default the Temporal UI
 * URL), which also stands in for the CSRF header on cookie-authenticated calls.
 */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppConfig } from '../../config';
import { findPrincipalByApiKey } from '../../db/api-keys';
import type { Db } from '../../db/client';
import { AesGcmPayloadCodec, payloadFromJson, payloadToJson } from '../../secrets/payload-codec';
import { AppError } from '../../services/app-error';
import { requirePermission } from '../../services/permissions';
import { sessionKeyOf } from '../middleware/auth-session-cookie';
import { parseOrThrow } from '../validation';

const Base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
export const CodecPayloadSchema = z.object({
  metadata: z.record(z.string(), Base64).optional(),
  data: Base64.optional(),
});
export const CodecRequestSchema = z.object({ payloads: z.array(CodecPayloadSchema).max(1000) });
export const CodecResponseSchema = z.object({ payloads: z.array(CodecPayloadSchema) });

const CODEC_PATH = '/temporal-codec';

function allowCors(req: Request, res: Response, origin: string | undefined): void {
  const from = req.get('origin');
  if (!from || from !== origin) return;
  res.set({
    'Access-Control-Allow-Origin': from,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type, Authorization, X-Namespace',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  });
}

export function codecRouter(deps: { db: Db; config: AppConfig }): Router {
  const router = Router();
  const settings = deps.config.secrets.payloadCodec;
  const origin = settings?.corsOrigin?.replace(/\/$/, '');

  // A middleware rather than a route: the preflight is CORS plumbing, not an API operation.
  router.use(CODEC_PATH, (req, res, next) => {
    allowCors(req, res, origin);
    if (req.method === 'OPTIONS') res.status(204).end();
    else next();
  });

  for (const op of ['decode', 'encode'] as const) {
    router.post(`${CODEC_PATH}/${op}`, async (req, res) => {
      const from = req.get('origin');
      if (from && from !== origin) {
        throw new AppError(
          'not_authorized',
          `origin ${from} may not call the codec endpoint; set AMBIT_TEMPORAL_CODEC_ORIGIN to the Temporal UI's origin`,
        );
      }
      const header = req.get('authorization');
      const key = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : sessionKeyOf(req);
      const principal = key ? await findPrincipalByApiKey(deps.db, key) : null;
      if (!principal) {
        throw new AppError('authentication_required', 'send Authorization: Bearer <admin API key>', {
          headers: { 'WWW-Authenticate': 'Bearer' },
        });
      }
      requirePermission(principal, 'admin', 'decode Temporal payloads');
      if (!settings) {
        throw new AppError(
          'operation_not_supported',
          'Temporal payload encryption is off; set AMBIT_TEMPORAL_PAYLOAD_KEY (openssl rand -base64 32) to turn it on',
        );
      }
      const { payloads } = parseOrThrow(CodecRequestSchema, req.body, 'body');
      const codec = new AesGcmPayloadCodec(settings.key);
      const input = payloads.map(payloadFromJson);
      let output;
      try {
        output = op === 'decode' ? await codec.decode(input) : await codec.encode(input);
      } catch (err) {
        throw new AppError('invalid_request', `payloads: ${(err as Error).message}`);
      }
      res.json({ payloads: output.map(payloadToJson) });
    });
  }

  return router;
}

export function registerCodecPaths(
  registry: OpenAPIRegistry,
  helpers: {
    path: (p: string) => string;
    security: { [name: string]: string[] }[];
    json: (description: string, schema: z.ZodType) => ResponseConfig;
    problem: (description: string) => ResponseConfig;
  },
): void {
  const { path, security, json, problem } = helpers;
  const payloads = CodecRequestSchema.meta({ id: 'CodecPayloads' });
  for (const op of ['decode', 'encode'] as const) {
    registry.registerPath({
      method: 'post',
      path: path(`${CODEC_PATH}/${op}`),
      operationId: `temporalCodec${op === 'decode' ? 'Decode' : 'Encode'}`,
      summary: `${op === 'decode' ? 'Decrypt' : 'Encrypt'} Temporal payloads for the Temporal Web UI (admins only)`,
      description:
        "Temporal's codec-server protocol. Set the Web UI's codec endpoint to <public URL>/api/v1/temporal-codec. " +
        'Authenticates with a Bearer API key or the session cookie; CORS is allowed for AMBIT_TEMPORAL_CODEC_ORIGIN.',
      tags: ['temporal'],
      security,
      request: { body: { required: true, content: { 'application/json': { schema: payloads } } } },
      responses: {
        200: json('The payloads, transformed', CodecResponseSchema),
        400: problem('Malformed payloads, or ones that do not decrypt (invalid_request)'),
        401: problem('Missing or invalid API key (authentication_required)'),
        403: problem('Not an admin key, or a foreign origin (not_authorized)'),
        422: problem('Payload encryption is not configured (operation_not_supported)'),
      },
    });
  }
}

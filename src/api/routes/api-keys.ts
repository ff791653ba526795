/** API key routes: create (the key is in that response only), list, expire. */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import {
  ApiKeyItemSchema,
  CreateApiKeyRequestSchema,
  CreatedApiKeySchema,
  createApiKey,
  expireApiKey,
  ListApiKeysQuerySchema,
  ListApiKeysResponseSchema,
  listApiKeys,
} from '../../services/api-keys';
import type { ServiceDeps } from '../../services/deps';
import { API_PREFIX } from '../constants';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow, singleValuedQuery } from '../validation';

export function apiKeysRouter(deps: ServiceDeps): Router {
  const router = Router();
  router.post('/api-keys', async (req, res) => {
    const request = parseOrThrow(CreateApiKeyRequestSchema, req.body, 'body');
    const created = await createApiKey(deps, { principal: principalOf(res), request });
    // The key is in this body: no cache may keep it.
    res
      .status(201)
      .set('Cache-Control', 'no-store')
      .location(`${API_PREFIX}/api-keys/${encodeURIComponent(created.id)}`)
      .json(created);
  });
  router.get('/api-keys', async (req, res) => {
    const query = parseOrThrow(ListApiKeysQuerySchema, singleValuedQuery(req), 'query');
    res.json(await listApiKeys(deps, { principal: principalOf(res), query }));
  });
  router.post('/api-keys/:keyId/expire', async (req, res) => {
    res.json(await expireApiKey(deps, { principal: principalOf(res), keyId: req.params.keyId }));
  });
  return router;
}

export function registerApiKeyPaths(
  registry: OpenAPIRegistry,
  helpers: {
    path: (p: string) => string;
    security: { [name: string]: string[] }[];
    json: (description: string, schema: z.ZodType) => ResponseConfig;
    problem: (description: string) => ResponseConfig;
  },
): void {
  const { path, security, json, problem } = helpers;
  const ApiKeyItem = ApiKeyItemSchema.meta({ id: 'ApiKeyItem' });
  const auth = {
    401: problem('Missing or invalid API key (authentication_required)'),
    403: problem('The key may not do this (not_authorized)'),
  };
  registry.registerPath({
    method: 'post',
    path: path('/api-keys'),
    operationId: 'createApiKey',
    summary: 'Create an API key; the response is the only time the key is shown',
    description:
      'Personal keys act with their person’s role; anyone may create their own. Team keys (admins only) belong ' +
      'to no person and act as an admin of the team. Admins may create a personal key for a member with user_id.',
    tags: ['api-keys'],
    security,
    request: { body: { required: true, content: { 'application/json': { schema: CreateApiKeyRequestSchema } } } },
    responses: {
      201: json('The key, with its secret in `key`', CreatedApiKeySchema.meta({ id: 'CreatedApiKey' })),
      400: problem('Invalid field (invalid_request)'),
      ...auth,
      404: problem('user_id names no member of the team (resource_not_found)'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/api-keys'),
    operationId: 'listApiKeys',
    summary: 'List API keys: admins see the team’s, others their own personal keys (never the secrets)',
    tags: ['api-keys'],
    security,
    request: { query: ListApiKeysQuerySchema },
    responses: {
      200: json('The keys, newest first', ListApiKeysResponseSchema.extend({ api_keys: z.array(ApiKeyItem) })),
      400: problem('Invalid filter (invalid_request)'),
      ...auth,
    },
  });
  registry.registerPath({
    method: 'post',
    path: path('/api-keys/{keyId}/expire'),
    operationId: 'expireApiKey',
    summary: 'Expire (revoke) an API key now; expiring an inactive key changes nothing',
    tags: ['api-keys'],
    security,
    request: { params: z.object({ keyId: z.string().min(1) }) },
    responses: {
      200: json('The key as it is now', ApiKeyItem),
      ...auth,
      404: problem('No such key visible to this key (resource_not_found)'),
    },
  });
}

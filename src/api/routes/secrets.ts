/**
 * Secrets: `/secrets` CRUD. Write-only: values go in with create and update and never come out; every answer
 * holds metadata only.
 */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import {
  CreateSecretRequestSchema,
  DeleteSecretResponseSchema,
  ListSecretsQuerySchema,
  SecretItemSchema,
  SecretListSchema,
  UpdateSecretRequestSchema,
} from '../../secrets/schemas';
import type { ServiceDeps } from '../../services/deps';
import { createSecret, deleteSecret, getSecret, listSecrets, updateSecret } from '../../services/secrets';
import { API_PREFIX } from '../constants';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow, singleValuedQuery } from '../validation';

export function secretsRouter(deps: ServiceDeps): Router {
  const router = Router();

  router.post('/secrets', async (req, res) => {
    const request = parseOrThrow(CreateSecretRequestSchema, req.body, 'body');
    const item = await createSecret(deps, { principal: principalOf(res), request });
    res
      .status(201)
      .location(`${API_PREFIX}/secrets/${encodeURIComponent(item.id)}`)
      .json(item);
  });

  router.get('/secrets', async (req, res) => {
    const query = parseOrThrow(ListSecretsQuerySchema, singleValuedQuery(req), 'query');
    res.json(await listSecrets(deps, { principal: principalOf(res), query }));
  });

  router.get('/secrets/:secretId', async (req, res) => {
    res.json(await getSecret(deps, { principal: principalOf(res), secretId: req.params.secretId }));
  });

  router.patch('/secrets/:secretId', async (req, res) => {
    const request = parseOrThrow(UpdateSecretRequestSchema, req.body, 'body');
    res.json(await updateSecret(deps, { principal: principalOf(res), secretId: req.params.secretId, request }));
  });

  router.delete('/secrets/:secretId', async (req, res) => {
    res.json(await deleteSecret(deps, { principal: principalOf(res), secretId: req.params.secretId }));
  });

  return router;
}

export function registerSecretPaths(
  registry: OpenAPIRegistry,
  helpers: {
    path: (p: string) => string;
    security: { [name: string]: string[] }[];
    json: (description: string, schema: z.ZodType) => ResponseConfig;
    problem: (description: string) => ResponseConfig;
  },
): void {
  const { path, security, json, problem } = helpers;
  const item = SecretItemSchema.meta({ id: 'SecretItem' });
  const list = SecretListSchema.extend({ secrets: z.array(item) }).meta({ id: 'SecretList' });
  const secretId = z.object({ secretId: z.string().min(1).meta({ description: 'Secret id (sec_…)' }) });
  const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });
  const auth = {
    401: problem('Missing or invalid API key (authentication_required)'),
    403: problem('Team secrets need an admin key; personal ones a member key (not_authorized)'),
  };
  const notFound = problem('No such secret visible to this key (resource_not_found)');
  registry.registerPath({
    method: 'post',
    path: path('/secrets'),
    operationId: 'createSecret',
    summary: 'Create a secret (team-wide, or personal with scope User); the value is never returned',
    description:
      'The value becomes an environment variable of the same name in runs: team secrets in every team run, ' +
      'personal ones only in runs the owner triggers (never scheduled runs).',
    tags: ['secrets'],
    security,
    request: { body: body(CreateSecretRequestSchema.meta({ id: 'CreateSecretRequest' })) },
    responses: {
      201: json('The secret’s metadata; Location names it', item),
      400: problem('Invalid name, value, scope or description (invalid_request)'),
      ...auth,
      409: problem('The name is taken in this scope (conflict, retryable: false)'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/secrets'),
    operationId: 'listSecrets',
    summary: 'Names and metadata of the secrets visible to this key (never values)',
    tags: ['secrets'],
    security,
    request: { query: ListSecretsQuerySchema },
    responses: { 200: json('The secrets', list), 400: problem('Invalid scope (invalid_request)'), ...auth },
  });
  registry.registerPath({
    method: 'get',
    path: path('/secrets/{secretId}'),
    operationId: 'getSecret',
    summary: 'A secret’s metadata (never its value)',
    tags: ['secrets'],
    security,
    request: { params: secretId },
    responses: { 200: json('The secret', item), ...auth, 404: notFound },
  });
  registry.registerPath({
    method: 'patch',
    path: path('/secrets/{secretId}'),
    operationId: 'updateSecret',
    summary: 'Replace a secret’s value and/or description (description null clears it)',
    tags: ['secrets'],
    security,
    request: { params: secretId, body: body(UpdateSecretRequestSchema.meta({ id: 'UpdateSecretRequest' })) },
    responses: {
      200: json('The secret as changed', item),
      400: problem('Invalid field, or nothing to change (invalid_request)'),
      ...auth,
      404: notFound,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: path('/secrets/{secretId}'),
    operationId: 'deleteSecret',
    summary: 'Delete a secret; runs started later no longer receive it',
    tags: ['secrets'],
    security,
    request: { params: secretId },
    responses: {
      200: json('Deleted', DeleteSecretResponseSchema.meta({ id: 'DeleteSecretResponse' })),
      ...auth,
      404: notFound,
    },
  });
}

/** Integrations (`/integrations`): create, list, get, update, delete. Reads need view, changes need admin. */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import {
  CreateIntegrationRequestSchema,
  DeleteIntegrationQuerySchema,
  DeleteIntegrationResponseSchema,
  IntegrationItemSchema,
  IntegrationListSchema,
  IntegrationTypeSchema,
  UpdateIntegrationRequestSchema,
} from '../../integrations/schemas';
import type { ServiceDeps } from '../../services/deps';
import {
  createIntegration,
  deleteIntegration,
  getIntegration,
  listIntegrations,
  updateIntegration,
} from '../../services/integrations';
import { API_PREFIX } from '../constants';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow } from '../validation';

const ListIntegrationsQuerySchema = z.strictObject({ type: IntegrationTypeSchema.optional() });

export function integrationsRouter(deps: ServiceDeps): Router {
  const router = Router();

  router.post('/integrations', async (req, res) => {
    const request = parseOrThrow(CreateIntegrationRequestSchema, req.body, 'body');
    const item = await createIntegration(deps, { principal: principalOf(res), request });
    res
      .status(201)
      .location(`${API_PREFIX}/integrations/${encodeURIComponent(item.id)}`)
      .json(item);
  });

  router.get('/integrations', async (req, res) => {
    const query = parseOrThrow(ListIntegrationsQuerySchema, req.query, 'query');
    res.json(
      await listIntegrations(deps, { principal: principalOf(res), ...(query.type ? { type: query.type } : {}) }),
    );
  });

  router.get('/integrations/:integrationId', async (req, res) => {
    res.json(await getIntegration(deps, { principal: principalOf(res), integrationId: req.params.integrationId }));
  });

  router.patch('/integrations/:integrationId', async (req, res) => {
    const request = parseOrThrow(UpdateIntegrationRequestSchema, req.body, 'body');
    res.json(
      await updateIntegration(deps, {
        principal: principalOf(res),
        integrationId: req.params.integrationId,
        request,
      }),
    );
  });

  router.delete('/integrations/:integrationId', async (req, res) => {
    const query = parseOrThrow(DeleteIntegrationQuerySchema, req.query, 'query');
    res.json(
      await deleteIntegration(deps, {
        principal: principalOf(res),
        integrationId: req.params.integrationId,
        force: query.force,
      }),
    );
  });

  return router;
}

export function registerIntegrationPaths(
  registry: OpenAPIRegistry,
  h: {
    path: (p: string) => string;
    security: { [name: string]: string[] }[];
    json: <T extends z.ZodType>(description: string, schema: T) => ResponseConfig;
    problem: (description: string) => ResponseConfig;
  },
): void {
  const { path, security, json, problem } = h;
  const params = z.object({ integrationId: z.string().min(1).meta({ description: 'Integration id (int_…)' }) });
  const body = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
  const auth = {
    401: problem('Missing or invalid API key (authentication_required)'),
    403: problem('Only admins may change integrations (not_authorized)'),
  };
  const notFound = problem('No such integration in this team (resource_not_found)');
  const upstream = problem('The service (GitHub, Linear …) could not be reached to (un)register the webhook; retry');
  registry.registerPath({
    method: 'post',
    path: path('/integrations'),
    operationId: 'createIntegration',
    summary: 'Create an integration: store its secrets, register its webhook with the service, record its defaults',
    tags: ['integrations'],
    security,
    request: { body: body(CreateIntegrationRequestSchema.meta({ id: 'CreateIntegrationRequest' })) },
    responses: {
      201: json('The integration; Location names it', IntegrationItemSchema),
      400: problem('Invalid field, unknown secret, or the service refused the registration (invalid_request)'),
      ...auth,
      409: problem('A same-type integration has this name (conflict, retryable: false)'),
      502: upstream,
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/integrations'),
    operationId: 'listIntegrations',
    summary: 'List the team’s integrations with their status (connected, last event, last error)',
    tags: ['integrations'],
    security,
    request: { query: ListIntegrationsQuerySchema },
    responses: {
      200: json('The integrations', IntegrationListSchema),
      400: problem('Invalid type (invalid_request)'),
      ...auth,
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/integrations/{integrationId}'),
    operationId: 'getIntegration',
    summary: 'Get an integration',
    tags: ['integrations'],
    security,
    request: { params },
    responses: { 200: json('The integration', IntegrationItemSchema), ...auth, 404: notFound },
  });
  registry.registerPath({
    method: 'patch',
    path: path('/integrations/{integrationId}'),
    operationId: 'updateIntegration',
    summary: 'Change an integration; a new config or new secrets re-register its webhook',
    tags: ['integrations'],
    security,
    request: { params, body: body(UpdateIntegrationRequestSchema.meta({ id: 'UpdateIntegrationRequest' })) },
    responses: {
      200: json('The integration as changed', IntegrationItemSchema),
      400: problem('Invalid field (invalid_request)'),
      ...auth,
      404: notFound,
      409: problem('A same-type integration has this name (conflict, retryable: false)'),
      502: upstream,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: path('/integrations/{integrationId}'),
    operationId: 'deleteIntegration',
    summary: 'Delete an integration after removing its webhook from the service (force=true deletes regardless)',
    tags: ['integrations'],
    security,
    request: { params, query: DeleteIntegrationQuerySchema },
    responses: {
      200: json('Deleted', DeleteIntegrationResponseSchema),
      400: problem('Invalid force value (invalid_request)'),
      ...auth,
      404: notFound,
      502: upstream,
    },
  });
}

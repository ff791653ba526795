/** Saved prompts: `/prompts` CRUD; an update to the template or parameters adds a version. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import {
  CreatePromptRequestSchema,
  DeleteConfigObjectResponseSchema,
  ListConfigObjectsQuerySchema,
  PromptItemSchema,
  UpdatePromptRequestSchema,
} from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import { createPrompt, deletePrompt, getPrompt, listPrompts, updatePrompt } from '../../services/prompts';
import { API_PREFIX } from '../constants';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow, singleValuedQuery } from '../validation';
import { type PathHelpers } from './team';

const GetPromptQuerySchema = z.object({
  version: z.coerce
    .number({ error: 'version must be a whole number from 1' })
    .int('version must be a whole number from 1')
    .min(1, 'version must be a whole number from 1')
    .optional(),
});

export function promptsRouter(deps: ServiceDeps): Router {
  const router = Router();
  router.post('/prompts', async (req, res) => {
    const request = parseOrThrow(CreatePromptRequestSchema, req.body, 'body');
    const item = await createPrompt(deps, { principal: principalOf(res), request });
    res
      .status(201)
      .location(`${API_PREFIX}/prompts/${encodeURIComponent(item.id)}`)
      .json(item);
  });
  router.get('/prompts', async (req, res) => {
    const query = parseOrThrow(ListConfigObjectsQuerySchema, singleValuedQuery(req), 'query');
    res.json({ prompts: await listPrompts(deps, { principal: principalOf(res), query }) });
  });
  router.get('/prompts/:id', async (req, res) => {
    const { version } = parseOrThrow(GetPromptQuerySchema, singleValuedQuery(req), 'query');
    res.json(
      await getPrompt(deps, {
        principal: principalOf(res),
        id: req.params.id,
        ...(version !== undefined ? { version } : {}),
      }),
    );
  });
  router.patch('/prompts/:id', async (req, res) => {
    const request = parseOrThrow(UpdatePromptRequestSchema, req.body, 'body');
    res.json(await updatePrompt(deps, { principal: principalOf(res), id: req.params.id, request }));
  });
  router.delete('/prompts/:id', async (req, res) => {
    res.json(await deletePrompt(deps, { principal: principalOf(res), id: req.params.id }));
  });
  return router;
}

export function registerPromptPaths(registry: OpenAPIRegistry, h: PathHelpers): void {
  const { path, security, json, problem } = h;
  const PromptItem = PromptItemSchema.meta({ id: 'PromptItem' });
  const id = z.object({ id: z.string().min(1).meta({ description: 'Saved prompt id (prm_…)' }) });
  const auth = {
    401: problem('Missing or invalid API key (authentication_required)'),
    403: problem('Team prompts need an admin key to change; viewers change nothing (not_authorized)'),
  };
  const notFound = problem('No such saved prompt (or version) visible to this key (resource_not_found)');
  const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });
  registry.registerPath({
    method: 'post',
    path: path('/prompts'),
    operationId: 'createPrompt',
    summary: 'Save a prompt template (version 1); every {{placeholder}} must be a declared parameter',
    tags: ['prompts'],
    security,
    request: { body: body(CreatePromptRequestSchema.meta({ id: 'CreatePromptRequest' })) },
    responses: {
      201: json('The saved prompt', PromptItem),
      400: problem('Invalid field or undeclared placeholder (invalid_request)'),
      ...auth,
      409: problem('The name is taken in this scope (conflict, retryable: false)'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/prompts'),
    operationId: 'listPrompts',
    summary: 'List saved prompts (each with its latest version)',
    tags: ['prompts'],
    security,
    request: { query: ListConfigObjectsQuerySchema },
    responses: { 200: json('Saved prompts', z.object({ prompts: z.array(PromptItem) })), ...auth },
  });
  registry.registerPath({
    method: 'get',
    path: path('/prompts/{id}'),
    operationId: 'getPrompt',
    summary: 'Get a saved prompt at its latest version, or at ?version=n',
    tags: ['prompts'],
    security,
    request: { params: id, query: GetPromptQuerySchema },
    responses: { 200: json('The saved prompt', PromptItem), ...auth, 404: notFound },
  });
  registry.registerPath({
    method: 'patch',
    path: path('/prompts/{id}'),
    operationId: 'updatePrompt',
    summary: 'Change a saved prompt; a new template or parameters adds a version, name and description change in place',
    tags: ['prompts'],
    security,
    request: { params: id, body: body(UpdatePromptRequestSchema.meta({ id: 'UpdatePromptRequest' })) },
    responses: {
      200: json('The saved prompt at its latest version', PromptItem),
      400: problem('Invalid field or undeclared placeholder (invalid_request)'),
      ...auth,
      404: notFound,
      409: problem('The name is taken in this scope (conflict, retryable: false)'),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: path('/prompts/{id}'),
    operationId: 'deletePrompt',
    summary: 'Delete a saved prompt and all its versions (runs keep the text they used)',
    tags: ['prompts'],
    security,
    request: { params: id },
    responses: { 200: json('Deleted', DeleteConfigObjectResponseSchema), ...auth, 404: notFound },
  });
}

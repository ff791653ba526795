/**
 * Team settings (`GET|PATCH /team/settings`), and the route and OpenAPI helpers the config-object routes share
 * (rules, MCP servers, variable sets: create, list, get, update, delete under one base path).
 */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import {
  DeleteConfigObjectResponseSchema,
  ListConfigObjectsQuerySchema,
  TeamSettingsSchema,
  UpdateTeamSettingsRequestSchema,
  type ConfigScope,
  type ListConfigObjectsQuery,
} from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import {
  createConfigObject,
  deleteConfigObject,
  getConfigObject,
  getTeamSettings,
  listConfigObjects,
  updateConfigObject,
  updateTeamSettings,
  type ConfigKind,
  type ScopedRow,
} from '../../services/team';
import { API_PREFIX } from '../constants';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow, singleValuedQuery } from '../validation';

export function teamRouter(deps: ServiceDeps): Router {
  const router = Router();
  router.get('/team/settings', async (_req, res) => {
    res.json(await getTeamSettings(deps, { principal: principalOf(res) }));
  });
  router.patch('/team/settings', async (req, res) => {
    const request = parseOrThrow(UpdateTeamSettingsRequestSchema, req.body, 'body');
    res.json(await updateTeamSettings(deps, { principal: principalOf(res), request }));
  });
  return router;
}

/** The five CRUD routes of one config-object kind under `base` (e.g. `/rules`); lists answer `{<listKey>: [...]}`. */
export function configObjectRoutes<
  Row extends ScopedRow & { ownerKey: string },
  Item,
  C extends { name: string; scope?: ConfigScope },
  U extends { name?: string },
>(
  deps: ServiceDeps,
  options: {
    base: string;
    listKey: string;
    kind: ConfigKind<Row, Item, C, U>;
    createSchema: z.ZodType<C>;
    updateSchema: z.ZodType<U>;
  },
): Router {
  const { base, listKey, kind } = options;
  const router = Router();
  router.post(base, async (req, res) => {
    const request = parseOrThrow(options.createSchema, req.body, 'body');
    const item = await createConfigObject(deps, kind, { principal: principalOf(res), request });
    res
      .status(201)
      .location(`${API_PREFIX}${base}/${encodeURIComponent((item as { id: string }).id)}`)
      .json(item);
  });
  router.get(base, async (req, res) => {
    const query: ListConfigObjectsQuery = parseOrThrow(ListConfigObjectsQuerySchema, singleValuedQuery(req), 'query');
    const items = await listConfigObjects(deps, kind as unknown as ConfigKind<Row, Item, never, never>, {
      principal: principalOf(res),
      query,
    });
    res.json({ [listKey]: items });
  });
  router.get(`${base}/:id`, async (req, res) => {
    res.json(
      await getConfigObject(deps, kind as unknown as ConfigKind<Row, Item, never, never>, {
        principal: principalOf(res),
        id: String(req.params['id']),
      }),
    );
  });
  router.patch(`${base}/:id`, async (req, res) => {
    const request = parseOrThrow(options.updateSchema, req.body, 'body');
    res.json(
      await updateConfigObject(deps, kind, { principal: principalOf(res), id: String(req.params['id']), request }),
    );
  });
  router.delete(`${base}/:id`, async (req, res) => {
    res.json(
      await deleteConfigObject(deps, kind as unknown as ConfigKind<Row, unknown, never, never>, {
        principal: principalOf(res),
        id: String(req.params['id']),
      }),
    );
  });
  return router;
}

export interface PathHelpers {
  path: (p: string) => string;
  security: { [name: string]: string[] }[];
  json: (description: string, schema: z.ZodType) => ResponseConfig;
  problem: (description: string) => ResponseConfig;
}

/** OpenAPI entries for the five routes of `configObjectRoutes`. */
export function registerConfigObjectPaths(
  registry: OpenAPIRegistry,
  h: PathHelpers,
  o: {
    base: string;
    tag: string;
    noun: string;
    listKey: string;
    operation: string;
    item: z.ZodType;
    create: z.ZodType;
    update: z.ZodType;
  },
): void {
  const { path, security, json, problem } = h;
  const id = z.object({
    id: z
      .string()
      .min(1)
      .meta({ description: `${o.noun} id` }),
  });
  const auth = {
    401: problem('Missing or invalid API key (authentication_required)'),
    403: problem(`Team ${o.noun}s need an admin key to change; viewers change nothing (not_authorized)`),
  };
  const notFound = problem(`No such ${o.noun} visible to this key (resource_not_found)`);
  const conflict = problem('The name is taken in this scope (conflict, retryable: false)');
  const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });
  const plural = `${o.operation}s`;
  registry.registerPath({
    method: 'post',
    path: path(o.base),
    operationId: `create${o.operation}`,
    summary: `Create a ${o.noun} (team-wide, or personal with scope User)`,
    tags: [o.tag],
    security,
    request: { body: body(o.create) },
    responses: {
      201: json(`The ${o.noun}`, o.item),
      400: problem('Invalid field; detail names it (invalid_request)'),
      ...auth,
      409: conflict,
    },
  });
  registry.registerPath({
    method: 'get',
    path: path(o.base),
    operationId: `list${plural}`,
    summary: `List the ${o.noun}s visible to this key, by name`,
    tags: [o.tag],
    security,
    request: { query: ListConfigObjectsQuerySchema },
    responses: { 200: json(`The ${o.noun}s`, z.object({ [o.listKey]: z.array(o.item) })), ...auth },
  });
  registry.registerPath({
    method: 'get',
    path: path(`${o.base}/{id}`),
    operationId: `get${o.operation}`,
    summary: `Get a ${o.noun}`,
    tags: [o.tag],
    security,
    request: { params: id },
    responses: { 200: json(`The ${o.noun}`, o.item), ...auth, 404: notFound },
  });
  registry.registerPath({
    method: 'patch',
    path: path(`${o.base}/{id}`),
    operationId: `update${o.operation}`,
    summary: `Change some fields of a ${o.noun}`,
    tags: [o.tag],
    security,
    request: { params: id, body: body(o.update) },
    responses: {
      200: json(`The ${o.noun} as changed`, o.item),
      400: problem('Invalid field, or none given (invalid_request)'),
      ...auth,
      404: notFound,
      409: conflict,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: path(`${o.base}/{id}`),
    operationId: `delete${o.operation}`,
    summary: `Delete a ${o.noun}`,
    tags: [o.tag],
    security,
    request: { params: id },
    responses: { 200: json('Deleted', DeleteConfigObjectResponseSchema), ...auth, 404: notFound },
  });
}

export function registerTeamPaths(registry: OpenAPIRegistry, h: PathHelpers): void {
  const { path, security, json, problem } = h;
  registry.registerPath({
    method: 'get',
    path: path('/team/settings'),
    operationId: 'getTeamSettings',
    summary: "The team's run defaults (model, base prompt, environment, host, limits)",
    tags: ['team'],
    security,
    responses: {
      200: json('Team settings; null means the platform default', TeamSettingsSchema),
      401: problem('Missing or invalid API key (authentication_required)'),
    },
  });
  registry.registerPath({
    method: 'patch',
    path: path('/team/settings'),
    operationId: 'updateTeamSettings',
    summary: 'Change team settings (admins); null clears a setting',
    tags: ['team'],
    security,
    request: {
      body: { required: true, content: { 'application/json': { schema: UpdateTeamSettingsRequestSchema } } },
    },
    responses: {
      200: json('Team settings as changed', TeamSettingsSchema),
      400: problem('Invalid field; detail names it (invalid_request)'),
      401: problem('Missing or invalid API key (authentication_required)'),
      403: problem('Only admins change team settings (not_authorized)'),
      404: problem('default_environment_id names no visible environment (resource_not_found)'),
    },
  });
}

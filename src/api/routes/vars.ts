/** Variable sets: `/vars` CRUD, and `GET|PUT /environments/{id}/var-sets` (the sets an environment applies). */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { type Router } from 'express';
import { z } from 'zod';
import {
  AttachVarSetsRequestSchema,
  CreateVarSetRequestSchema,
  EnvironmentVarSetsSchema,
  UpdateVarSetRequestSchema,
  VarSetItemSchema,
} from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import { getEnvironmentVarSets, setEnvironmentVarSets, VAR_SET_KIND } from '../../services/var-sets';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow } from '../validation';
import { configObjectRoutes, registerConfigObjectPaths, type PathHelpers } from './team';

export function varsRouter(deps: ServiceDeps): Router {
  const router = configObjectRoutes(deps, {
    base: '/vars',
    listKey: 'var_sets',
    kind: VAR_SET_KIND,
    createSchema: CreateVarSetRequestSchema,
    updateSchema: UpdateVarSetRequestSchema,
  });
  router.get('/environments/:environmentId/var-sets', async (req, res) => {
    res.json(
      await getEnvironmentVarSets(deps, { principal: principalOf(res), environmentId: req.params.environmentId }),
    );
  });
  router.put('/environments/:environmentId/var-sets', async (req, res) => {
    const request = parseOrThrow(AttachVarSetsRequestSchema, req.body, 'body');
    res.json(
      await setEnvironmentVarSets(deps, {
        principal: principalOf(res),
        environmentId: req.params.environmentId,
        request,
      }),
    );
  });
  return router;
}

export function registerVarSetPaths(registry: OpenAPIRegistry, h: PathHelpers): void {
  registerConfigObjectPaths(registry, h, {
    base: '/vars',
    tag: 'vars',
    noun: 'variable set',
    listKey: 'var_sets',
    operation: 'VarSet',
    item: VarSetItemSchema.meta({ id: 'VarSetItem' }),
    create: CreateVarSetRequestSchema.meta({ id: 'CreateVarSetRequest' }),
    update: UpdateVarSetRequestSchema.meta({ id: 'UpdateVarSetRequest' }),
  });
  const { path, security, json, problem } = h;
  const params = z.object({ environmentId: z.string().min(1).meta({ description: 'Environment id (env_…)' }) });
  const errors = {
    401: problem('Missing or invalid API key (authentication_required)'),
    404: problem('No such environment visible to this key (resource_not_found)'),
  };
  registry.registerPath({
    method: 'get',
    path: path('/environments/{environmentId}/var-sets'),
    operationId: 'getEnvironmentVarSets',
    summary: 'The variable sets an environment applies to its runs, in order',
    tags: ['vars'],
    security,
    request: { params },
    responses: { 200: json('The sets, in order', EnvironmentVarSetsSchema), ...errors },
  });
  registry.registerPath({
    method: 'put',
    path: path('/environments/{environmentId}/var-sets'),
    operationId: 'setEnvironmentVarSets',
    summary:
      "Replace the variable sets an environment applies (ids or names, in order; a later set wins, the environment's own env wins over all)",
    tags: ['vars'],
    security,
    request: {
      params,
      body: { required: true, content: { 'application/json': { schema: AttachVarSetsRequestSchema } } },
    },
    responses: {
      200: json('The sets, in order', EnvironmentVarSetsSchema),
      400: problem('A set is unknown, given twice, or personal for a team environment (invalid_request)'),
      403: problem('Team environments need an admin key (not_authorized)'),
      ...errors,
    },
  });
}

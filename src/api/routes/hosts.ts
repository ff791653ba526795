/** Execution hosts: `GET /hosts` lists the host workers that report through Temporal. */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import type { z } from 'zod';
import { HostItemSchema, ListHostsResponseSchema } from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import { listHosts } from '../../services/hosts';
import { principalOf } from '../middleware/request-context';

export function hostsRouter(deps: ServiceDeps): Router {
  const router = Router();
  router.get('/hosts', async (_req, res) => {
    res.json(await listHosts(deps, { principal: principalOf(res) }));
  });
  return router;
}

export function registerHostPaths(
  registry: OpenAPIRegistry,
  helpers: {
    path: (p: string) => string;
    security: { [name: string]: string[] }[];
    json: (description: string, schema: z.ZodType) => ResponseConfig;
    problem: (description: string) => ResponseConfig;
  },
): void {
  const { path, security, json, problem } = helpers;
  const list = ListHostsResponseSchema.extend({ hosts: HostItemSchema.meta({ id: 'HostItem' }).array() }).meta({
    id: 'ListHostsResponse',
  });
  registry.registerPath({
    method: 'get',
    path: path('/hosts'),
    operationId: 'listHosts',
    summary: 'The execution hosts whose workers report through Temporal: capacity, running runs, last seen, live',
    tags: ['hosts'],
    security,
    responses: {
      200: json('Every host that reported, by id', list),
      401: problem('Missing or invalid API key (authentication_required)'),
      503: problem('The host registry (a Temporal workflow) could not be read (resource_unavailable)'),
    },
  });
}

/** The audit log: the team's (admins) and a run's own trail (whoever may see the run). */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import {
  AuditEventItemSchema,
  AuditPageQuerySchema,
  ListAuditQuerySchema,
  ListAuditResponseSchema,
  listAuditEvents,
  listRunAuditEvents,
} from '../../services/audit/index';
import type { ServiceDeps } from '../../services/deps';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow, singleValuedQuery } from '../validation';

export function auditRouter(deps: ServiceDeps): Router {
  const router = Router();
  router.get('/audit', async (req, res) => {
    const query = parseOrThrow(ListAuditQuerySchema, singleValuedQuery(req), 'query');
    res.json(await listAuditEvents(deps, { principal: principalOf(res), query }));
  });
  router.get('/agent/runs/:runId/audit', async (req, res) => {
    const query = parseOrThrow(AuditPageQuerySchema, singleValuedQuery(req), 'query');
    res.json(await listRunAuditEvents(deps, { principal: principalOf(res), runId: req.params.runId, query }));
  });
  return router;
}

export function registerAuditPaths(
  registry: OpenAPIRegistry,
  helpers: {
    path: (p: string) => string;
    security: { [name: string]: string[] }[];
    json: (description: string, schema: z.ZodType) => ResponseConfig;
    problem: (description: string) => ResponseConfig;
  },
): void {
  const { path, security, json, problem } = helpers;
  const page = ListAuditResponseSchema.extend({
    events: z.array(AuditEventItemSchema.meta({ id: 'AuditEvent' })),
  }).meta({ id: 'AuditPage' });
  registry.registerPath({
    method: 'get',
    path: path('/audit'),
    operationId: 'listAuditEvents',
    summary: 'The team’s audit log, newest first (admins only); filters combine with AND',
    tags: ['audit'],
    security,
    request: { query: ListAuditQuerySchema },
    responses: {
      200: json('A page of events', page),
      400: problem('Invalid filter or cursor (invalid_request)'),
      401: problem('Missing or invalid API key (authentication_required)'),
      403: problem('Only admins read the audit log (not_authorized)'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/agent/runs/{runId}/audit'),
    operationId: 'listRunAuditEvents',
    summary: 'A run’s own audit trail, oldest first: created, cancelled, steered, approvals',
    tags: ['audit', 'runs'],
    security,
    request: { params: z.object({ runId: z.string().min(1) }), query: AuditPageQuerySchema },
    responses: {
      200: json('A page of events', page),
      400: problem('Invalid limit or cursor (invalid_request)'),
      401: problem('Missing or invalid API key (authentication_required)'),
      404: problem('No such run visible to this key (resource_not_found)'),
    },
  });
}

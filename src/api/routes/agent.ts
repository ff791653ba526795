/**
 * `GET /agent/connection`: what `ambit agent run` needs to serve a local run from the user's machine: the Temporal
 * address, namespace and task-queue prefix (credentials come from the user's own TEMPORAL_* environment or profile,
 * never from the API), and the prefix of ephemeral local host ids.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { LOCAL_HOST_PREFIX } from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import { listAgentSkills, ListAgentsQuerySchema, ListAgentsResponseSchema } from '../../services/team/skills';
import { parseOrThrow, singleValuedQuery } from '../validation';
import { requirePermission } from '../../services/permissions';
import { principalOf } from '../middleware/request-context';
import type { PathHelpers } from './team';

export const AgentConnectionSchema = z.object({
  temporal: z.object({
    address: z.string(),
    namespace: z.string(),
    task_queue_prefix: z.string(),
    /** True when the cluster expects TLS or an API key: the CLI must have TEMPORAL_* credentials of its own. */
    credentials_required: z.boolean(),
    /** True when payloads are encrypted: the CLI needs the same AMBIT_TEMPORAL_PAYLOAD_KEY (never sent by the API). */
    payload_encryption: z.boolean(),
  }),
  local_host_prefix: z.string(),
});
export type AgentConnection = z.infer<typeof AgentConnectionSchema>;

export function agentRouter(deps: ServiceDeps): Router {
  const router = Router();
  router.get('/agent', async (req, res) => {
    const query = parseOrThrow(ListAgentsQuerySchema, singleValuedQuery(req), 'query');
    res.json(await listAgentSkills(deps, { principal: principalOf(res), query }));
  });
  router.get('/agent/connection', (_req, res) => {
    requirePermission(principalOf(res), 'run', 'start local runs');
    const t = deps.config.temporal;
    const body: AgentConnection = {
      temporal: {
        // Without an address the platform runs its own dev server on this machine.
        address: t.address ?? `127.0.0.1:${t.localPort}`,
        namespace: t.namespace,
        task_queue_prefix: t.taskQueuePrefix,
        credentials_required: t.apiKey !== undefined || t.tls?.enabled === true,
        payload_encryption: deps.config.secrets.payloadCodec !== undefined,
      },
      local_host_prefix: LOCAL_HOST_PREFIX,
    };
    res.json(body);
  });
  return router;
}

export function registerAgentPaths(registry: OpenAPIRegistry, h: PathHelpers): void {
  const { path, security, json, problem } = h;
  registry.registerPath({
    method: 'get',
    path: path('/agent'),
    operationId: 'listAgents',
    summary:
      'List skills (SKILL.md files) found in the repositories of the environments visible to this key, in the Oz shape; run one with skill or config.skill_spec',
    tags: ['agent'],
    security,
    request: { query: ListAgentsQuerySchema },
    responses: {
      200: json('Skills grouped by name', ListAgentsResponseSchema.meta({ id: 'ListAgentsResponse' })),
      400: problem('Invalid repo or flag (invalid_request)'),
      401: problem('Missing or invalid API key (authentication_required)'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: path('/agent/connection'),
    operationId: 'getAgentConnection',
    summary:
      'Temporal connection settings for `ambit agent run` (local runs served from the user’s machine); credentials are never returned',
    tags: ['agent'],
    security,
    responses: {
      200: json('Where an ephemeral local host worker connects', AgentConnectionSchema),
      401: problem('Missing or invalid API key (authentication_required)'),
      403: problem('Viewers may not start runs (not_authorized)'),
    },
  });
}

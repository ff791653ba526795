/** Environment routes: our CRUD under `/environments`, and the Oz-compatible listing at `/agent/environments`. */
import { Router } from 'express';
import {
  CreateEnvironmentRequestSchema,
  DeleteEnvironmentQuerySchema,
  ListAgentEnvironmentsQuerySchema,
  ListEnvironmentsQuerySchema,
  ReplaceEnvironmentRequestSchema,
  UpdateEnvironmentRequestSchema,
} from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import {
  createEnvironment,
  deleteEnvironment,
  getEnvironment,
  listAgentEnvironments,
  listEnvironments,
  replaceEnvironment,
  updateEnvironment,
} from '../../services/environments';
import { API_PREFIX } from '../constants';
import { principalOf } from '../middleware/request-context';
import { parseOrThrow, singleValuedQuery } from '../validation';

export function environmentsRouter(deps: ServiceDeps): Router {
  const router = Router();

  router.post('/environments', async (req, res) => {
    const request = parseOrThrow(CreateEnvironmentRequestSchema, req.body, 'body');
    const item = await createEnvironment(deps, { principal: principalOf(res), request });
    res
      .status(201)
      .location(`${API_PREFIX}/environments/${encodeURIComponent(item.id)}`)
      .json(item);
  });

  router.get('/environments', async (req, res) => {
    const query = parseOrThrow(ListEnvironmentsQuerySchema, singleValuedQuery(req), 'query');
    res.json(await listEnvironments(deps, { principal: principalOf(res), query }));
  });

  router.get('/environments/:environmentId', async (req, res) => {
    res.json(await getEnvironment(deps, { principal: principalOf(res), environmentId: req.params.environmentId }));
  });

  router.put('/environments/:environmentId', async (req, res) => {
    const request = parseOrThrow(ReplaceEnvironmentRequestSchema, req.body, 'body');
    res.json(
      await replaceEnvironment(deps, {
        principal: principalOf(res),
        environmentId: req.params.environmentId,
        request,
      }),
    );
  });

  router.patch('/environments/:environmentId', async (req, res) => {
    const request = parseOrThrow(UpdateEnvironmentRequestSchema, req.body, 'body');
    res.json(
      await updateEnvironment(deps, {
        principal: principalOf(res),
        environmentId: req.params.environmentId,
        request,
      }),
    );
  });

  router.delete('/environments/:environmentId', async (req, res) => {
    const { force } = parseOrThrow(DeleteEnvironmentQuerySchema, singleValuedQuery(req), 'query');
    res.json(
      await deleteEnvironment(deps, {
        principal: principalOf(res),
        environmentId: req.params.environmentId,
        force: force === 'true',
      }),
    );
  });

  router.get('/agent/environments', async (req, res) => {
    const query = parseOrThrow(ListAgentEnvironmentsQuerySchema, singleValuedQuery(req), 'query');
    res.json(await listAgentEnvironments(deps, { principal: principalOf(res), query }));
  });

  return router;
}

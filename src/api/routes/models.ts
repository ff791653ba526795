import { Router } from 'express';
import type { ServiceDeps } from '../../services/deps';
import { listModels } from '../../services/list-models';
import { principalOf } from '../middleware/request-context';

export function modelsRouter(deps: ServiceDeps): Router {
  const router = Router();
  router.get('/agent/models', async (_req, res) => {
    res.json(await listModels(deps, { principal: principalOf(res) }));
  });
  return router;
}

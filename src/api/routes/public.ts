/** The routes that need no API key: health (for load balancers and the launcher) and the OpenAPI document. */
import { Router } from 'express';
import { checkHealth } from '../../services/check-health';
import type { ServiceDeps } from '../../services/deps';
import { openApiDocument } from '../openapi';

export function publicRouter(deps: ServiceDeps): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const health = await checkHealth(deps);
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(deps.config.publicUrl));
  });
  return router;
}

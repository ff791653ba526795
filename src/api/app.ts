import type { Client } from '@temporalio/client';
import express from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import type { Db } from '../db/client';
import { API_PREFIX } from './constants';
import { authenticate } from './middleware/authenticate';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { requestContext } from './middleware/request-context';
import { apiKeysRouter } from './routes/api-keys';
import { auditRouter } from './routes/audit';
import { codecRouter } from './routes/codec';
import { environmentsRouter } from './routes/environments';
import { hostsRouter } from './routes/hosts';
import { mcpServersRouter } from './routes/mcp-servers';
import { promptsRouter } from './routes/prompts';
import { rulesRouter } from './routes/rules';
import { teamRouter } from './routes/team';
import { varsRouter } from './routes/vars';
import { agentRouter } from './routes/agent';
import { hooksRouter } from './routes/hooks';
import { integrationsRouter } from './routes/integrations';
import { membersRouter } from './routes/members';
import { modelsRouter } from './routes/models';
import { publicRouter } from './routes/public';
import { runsRouter } from './routes/runs';
import { schedulesRouter } from './routes/schedules';
import { secretsRouter } from './routes/secrets';
import { sessionRouter, uiConfigRouter } from './routes/session';
import { webUiRouter } from '../web';

export interface ApiDeps {
  db: Db;
  temporal: Client;
  config: AppConfig;
  logger: Logger;
}

/** Attachments (at most 5, base64 in the body) make run requests larger than typical JSON. */
export const MAX_BODY_BYTES = '25mb';

/** The Express app without a listening socket (see `startApiServer`). */
export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Repeated parameters arrive as arrays and `metadata[k]` stays a plain key, which the list query parser expects.
  app.set('query parser', 'simple');
  app.use(requestContext(deps.logger));
  // Integration deliveries are verified over their raw bodies: before the JSON parser and API-key authentication.
  app.use(API_PREFIX, hooksRouter(deps));
  app.use(express.json({ limit: MAX_BODY_BYTES }));

  const api = express.Router();
  api.use(publicRouter(deps));
  api.use(sessionRouter(deps));
  api.use(codecRouter(deps));
  api.use(authenticate(deps.db));
  api.use(uiConfigRouter(deps));
  api.use(runsRouter(deps));
  api.use(modelsRouter(deps));
  api.use(environmentsRouter(deps));
  api.use(integrationsRouter(deps));
  api.use(hostsRouter(deps));
  api.use(schedulesRouter(deps));
  api.use(teamRouter(deps));
  api.use(rulesRouter(deps));
  api.use(promptsRouter(deps));
  api.use(mcpServersRouter(deps));
  api.use(varsRouter(deps));
  api.use(agentRouter(deps));
  api.use(apiKeysRouter(deps));
  api.use(membersRouter(deps));
  api.use(auditRouter(deps));
  api.use(secretsRouter(deps));
  api.use(notFoundHandler());

  app.use(API_PREFIX, api);
  app.use(webUiRouter());
  app.use(notFoundHandler());
  app.use(errorHandler(deps.logger));
  return app;
}

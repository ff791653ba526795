/**
 * The web UI's sign-in: an API key exchanged for an HttpOnly session cookie, sign-out, and the few settings the UI
 * needs from the server config. The key is checked exactly as the Bearer header is; the cookie only carries it.
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { AppConfig } from '../../config';
import { findPrincipalByApiKey, type Principal } from '../../db/api-keys';
import { RUN_SOURCES, RUN_STATES } from '../../domain';
import { AppError } from '../../services/app-error';
import type { ServiceDeps } from '../../services/deps';
import {
  CSRF_HEADER,
  clearSessionCookie,
  passesCsrfCheck,
  sessionKeyOf,
  setSessionCookie,
} from '../middleware/auth-session-cookie';
import { parseOrThrow } from '../validation';

const SignInRequestSchema = z.object({
  api_key: z.string().trim().min(1, 'api_key must not be empty; paste an API key').max(512),
});

export interface SessionResponse {
  signed_in: true;
  team_id: string;
  user_id?: string;
  role: Principal['role'];
  scope: Principal['scope'];
}

export interface UiConfigResponse {
  /** Base URL of the Temporal Web UI, or empty when none is configured. */
  temporal_ui_url: string;
  temporal_namespace: string;
  run_states: readonly string[];
  run_sources: readonly string[];
}

function isSecure(config: AppConfig): boolean {
  return config.publicUrl.startsWith('https:');
}

function describe(principal: Principal): SessionResponse {
  return {
    signed_in: true,
    team_id: principal.teamId,
    ...(principal.userId ? { user_id: principal.userId } : {}),
    role: principal.role,
    scope: principal.scope,
  };
}

function requireCsrfHeader(req: Parameters<typeof passesCsrfCheck>[0]): void {
  if (!passesCsrfCheck(req)) {
    throw new AppError('not_authorized', `send the header ${CSRF_HEADER}: 1 (the web UI does)`);
  }
}

/** Routes that work without being signed in: whether the browser is, sign in and sign out. */
export function sessionRouter(deps: Pick<ServiceDeps, 'db' | 'config'>): Router {
  const router = Router();
  // Not a 401 when signed out: the UI asks on every load, and "no session" is an answer, not an error.
  router.get('/session', async (req, res: Response<SessionResponse | { signed_in: false }>) => {
    const key = sessionKeyOf(req);
    const principal = key ? await findPrincipalByApiKey(deps.db, key) : null;
    res.json(principal ? describe(principal) : { signed_in: false });
  });
  router.post('/session', async (req, res: Response<SessionResponse>) => {
    requireCsrfHeader(req);
    const { api_key } = parseOrThrow(SignInRequestSchema, req.body, 'body');
    const principal = await findPrincipalByApiKey(deps.db, api_key);
    if (!principal) throw new AppError('authentication_required', 'api_key: unknown, revoked or expired key');
    setSessionCookie(res, api_key, isSecure(deps.config));
    res.json(describe(principal));
  });
  router.delete('/session', (req, res) => {
    requireCsrfHeader(req);
    clearSessionCookie(res, isSecure(deps.config));
    res.status(204).end();
  });
  return router;
}

/** Behind authentication: the settings the UI needs from the server config. */
export function uiConfigRouter(deps: Pick<ServiceDeps, 'config'>): Router {
  const router = Router();
  router.get('/ui-config', (_req, res: Response<UiConfigResponse>) => {
    res.json({
      temporal_ui_url: deps.config.temporal.uiUrl.replace(/\/$/, ''),
      temporal_namespace: deps.config.temporal.namespace,
      run_states: RUN_STATES,
      run_sources: RUN_SOURCES,
    });
  });
  return router;
}

/**
 * The web UI's sign-in: an API key exchanged for an HttpOnly session cookie, sign-out, and the few settings the UI
 * needs from the server config. The key is checked exactly as the Bearer header is; the cookie only carries it.
 */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { AppConfig } from '../../config';
import { findPrincipalByApiKey, KeyScopeSchema, RoleSchema, type Principal } from '../../db/api-keys';
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

export const SignInRequestSchema = z.object({
  api_key: z.string().trim().min(1, 'api_key must not be empty; paste an API key').max(512),
});

export const SessionResponseSchema = z.object({
  signed_in: z.literal(true),
  team_id: z.string(),
  user_id: z.string().optional(),
  role: RoleSchema,
  scope: KeyScopeSchema,
});
export type SessionResponse = z.infer<typeof SessionResponseSchema>;
const SignedOutResponseSchema = z.object({ signed_in: z.literal(false) });

export const UiConfigResponseSchema = z.object({
  temporal_ui_url: z.string().meta({ description: 'Base URL of the Temporal Web UI, or empty when none is set' }),
  temporal_namespace: z.string(),
  run_states: z.array(z.string()),
  run_sources: z.array(z.string()),
});
export type UiConfigResponse = z.infer<typeof UiConfigResponseSchema>;

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
      run_states: [...RUN_STATES],
      run_sources: [...RUN_SOURCES],
    });
  });
  return router;
}

/** The session routes in the OpenAPI document (called by `openapi.ts`, which documents every served route). */
export function registerSessionPaths(
  registry: OpenAPIRegistry,
  helpers: {
    path: (p: string) => string;
    security: { [name: string]: string[] }[];
    json: (description: string, schema: z.ZodType) => ResponseConfig;
    problem: (description: string) => ResponseConfig;
  },
): void {
  const { path, security, json, problem } = helpers;
  const csrfHeader = z.object({
    [CSRF_HEADER]: z.literal('1').meta({ description: 'Required: blocks cross-site forms' }),
  });
  registry.registerPath({
    method: 'get',
    path: path('/session'),
    operationId: 'getSession',
    summary: 'Whether the browser has a web UI session (no API key needed)',
    tags: ['web'],
    responses: {
      200: json('The session, or signed_in false', z.union([SessionResponseSchema, SignedOutResponseSchema])),
    },
  });
  registry.registerPath({
    method: 'post',
    path: path('/session'),
    operationId: 'signIn',
    summary: 'Sign the web UI in: checks the API key and sets it in an HttpOnly, SameSite=Strict cookie',
    tags: ['web'],
    request: {
      headers: csrfHeader,
      body: { required: true, content: { 'application/json': { schema: SignInRequestSchema } } },
    },
    responses: {
      200: json('Signed in; Set-Cookie carries the session', SessionResponseSchema),
      400: problem('api_key missing or empty (invalid_request)'),
      401: problem('Unknown, revoked or expired key (authentication_required)'),
      403: problem('The CSRF header is missing (not_authorized)'),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: path('/session'),
    operationId: 'signOut',
    summary: 'Sign the web UI out: clears the session cookie',
    tags: ['web'],
    request: { headers: csrfHeader },
    responses: { 204: { description: 'Signed out' }, 403: problem('The CSRF header is missing (not_authorized)') },
  });
  registry.registerPath({
    method: 'get',
    path: path('/ui-config'),
    operationId: 'getUiConfig',
    summary: 'Settings the web UI needs: Temporal Web UI link, filter values',
    tags: ['web'],
    security,
    responses: {
      200: json('UI settings', UiConfigResponseSchema),
      401: problem('Missing or invalid API key or session (authentication_required)'),
    },
  });
}

/**
 * The management web UI: static ES modules and CSS from `public/`, no build step. Every page gets a strict
 * Content-Security-Policy (no inline scripts or styles, talk only to this origin), and `/runs/:id` (what a run's
 * `session_link` points to) serves the app, which opens that run.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** What a run's `session_link` points to: `/runs/<id>`. */
const RUN_PAGE = /^\/runs\/[^/]+\/?$/;

/** Under tsx and jest the files sit beside this module; a `tsc` build in dist/ does not copy them, so use src/. */
function publicDir(): string {
  const candidates = [path.join(__dirname, 'public'), path.resolve(__dirname, '../../../src/web/public')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html')));
  if (!found) throw new Error(`web UI files not found; looked in ${candidates.join(', ')}`);
  return found;
}

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
};

/** Mount at `/` after the API: it answers only the UI's files and `GET /runs/<id>`. */
export function webUiRouter(): Router {
  const dir = publicDir();
  const index = path.join(dir, 'index.html');
  const router = Router();
  router.use(securityHeaders);
  // Revalidate on every load so a new version of the UI is picked up; the files are small.
  router.use(express.static(dir, { index: 'index.html', cacheControl: true, maxAge: 0, fallthrough: true }));
  // Middleware rather than a route: this is a page of the app, not an API operation to document in OpenAPI.
  router.use((req, res, next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && RUN_PAGE.test(req.path)) res.sendFile(index);
    else next();
  });
  return router;
}

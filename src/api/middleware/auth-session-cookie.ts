/**
 * The web UI's session: the API key itself in an HttpOnly cookie, so scripts on the page never see it and
 * EventSource (which cannot send headers) still authenticates. SameSite=Strict keeps other sites from sending it,
 * and the CSRF header check below covers what SameSite does not (old browsers, same-site subdomains).
 */
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'ambit_session';
/** Sent by the UI on every state-changing request; a cross-site HTML form cannot set custom headers. */
export const CSRF_HEADER = 'x-ambit-csrf';
/** A browser session lasts at most this long; after that the user signs in again. */
const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session cookie's value, or undefined when the request has none. */
export function sessionKeyOf(req: Request): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return value ? decodeURIComponent(value) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Whether a cookie-authenticated request may proceed: reads always, writes only with the UI's CSRF header. */
export function passesCsrfCheck(req: Request): boolean {
  return SAFE_METHODS.has(req.method) || req.get(CSRF_HEADER) === '1';
}

function attributes(secure: boolean): string {
  return `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function setSessionCookie(res: Response, apiKey: string, secure: boolean): void {
  res.append(
    'Set-Cookie',
    `${SESSION_COOKIE}=${encodeURIComponent(apiKey)}; Max-Age=${SESSION_MAX_AGE_SECONDS}; ${attributes(secure)}`,
  );
}

export function clearSessionCookie(res: Response, secure: boolean): void {
  res.append('Set-Cookie', `${SESSION_COOKIE}=; Max-Age=0; ${attributes(secure)}`);
}

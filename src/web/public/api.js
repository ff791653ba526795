/* global EventTarget, Event */
/**
 * Calls to the Agent API with the session cookie. Every request carries X-Ambit-CSRF, which the server requires on
 * cookie-authenticated writes: a cross-site form cannot set it.
 */
export const API = '/api/v1';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Signals that the session is gone; the app shows the sign-in page. */
export const signedOut = new EventTarget();

export async function api(method, path, body) {
  const headers = { 'x-ambit-csrf': '1', accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(API + path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    if (res.status === 401 && path !== '/session') signedOut.dispatchEvent(new Event('signed-out'));
    throw new ApiError(res.status, data);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});

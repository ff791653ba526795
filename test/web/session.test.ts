/**
 * The web UI's session over plain HTTP: the cookie the sign-in sets, what it authorizes, the CSRF header it needs
 * for writes, and the headers of the UI's pages.
 */
import { CONTENT_SECURITY_POLICY } from '../../src/web';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

describe('web session and UI pages', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({
      dbKind: 'pglite',
      worker: false,
      env: { AMBIT_PUBLIC_URL: 'https://ambit.example', AMBIT_TEMPORAL_UI_URL: 'https://temporal.example/' },
    });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    fetch(`${platform.api.url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const CSRF = { 'x-ambit-csrf': '1' };

  async function signIn(): Promise<string> {
    const res = await call('POST', '/api/v1/session', CSRF, { api_key: platform.apiKey });
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  }

  test('sign-in checks the key and sets an HttpOnly, SameSite=Strict, Secure (https) cookie', async () => {
    const res = await call('POST', '/api/v1/session', CSRF, { api_key: platform.apiKey });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ signed_in: true, role: 'admin' });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^ambit_session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict; Secure$/);

    const bad = await call('POST', '/api/v1/session', CSRF, { api_key: 'ambit_wrong' });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { detail: string }).detail).toContain('api_key');
    expect(bad.headers.get('set-cookie')).toBeNull();
    const empty = await call('POST', '/api/v1/session', CSRF, { api_key: ' ' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { detail: string }).detail).toContain('api_key');
    const noCsrf = await call('POST', '/api/v1/session', {}, { api_key: platform.apiKey });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { detail: string }).detail).toContain('x-ambit-csrf');
  });

  test('the cookie authenticates reads, and writes only with the CSRF header', async () => {
    const cookie = await signIn();
    expect((await call('GET', '/api/v1/agent/runs')).status).toBe(401);
    expect((await call('GET', '/api/v1/agent/runs', { cookie })).status).toBe(200);
    expect((await call('GET', '/api/v1/session', { cookie }).then((r) => r.json())) as object).toMatchObject({
      signed_in: true,
    });
    expect(await call('GET', '/api/v1/session').then((r) => r.json())).toEqual({ signed_in: false });

    const forged = await call('POST', '/api/v1/agent/runs', { cookie }, { prompt: 'cross-site [ui-csrf]' });
    expect(forged.status).toBe(403);
    const created = await call('POST', '/api/v1/agent/runs', { cookie, ...CSRF }, { prompt: 'from the UI [ui-csrf]' });
    expect(created.status).toBe(200);
    const runs = await platform.request('GET', `/agent/runs?q=${encodeURIComponent('[ui-csrf]')}`);
    expect(runs.body.runs.map((r: { prompt: string }) => r.prompt)).toEqual(['from the UI [ui-csrf]']);

    const tampered = await call('GET', '/api/v1/agent/runs', { cookie: 'ambit_session=ambit_nope' });
    expect(tampered.status).toBe(401);
  });

  test('sign-out clears the cookie', async () => {
    const cookie = await signIn();
    const out = await call('DELETE', '/api/v1/session', { cookie, ...CSRF });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^ambit_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict/);
  });

  test('ui-config needs a session and gives the Temporal UI and the filter values', async () => {
    expect((await call('GET', '/api/v1/ui-config')).status).toBe(401);
    const cookie = await signIn();
    const res = await call('GET', '/api/v1/ui-config', { cookie });
    expect(await res.json()).toMatchObject({
      temporal_ui_url: 'https://temporal.example',
      temporal_namespace: 'default',
      run_states: expect.arrayContaining(['QUEUED', 'SUCCEEDED']),
      run_sources: expect.arrayContaining(['API', 'WEB_APP']),
    });
  });

  test('UI pages, including a run link, are the app under a strict Content-Security-Policy', async () => {
    for (const path of ['/', '/runs/run_anything']) {
      const res = await call('GET', path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      const html = await res.text();
      expect(html).toContain('<script type="module" src="/app.js"></script>');
      // No inline script: every <script> has a src.
      expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    const js = await call('GET', '/app.js');
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await call('GET', '/api/v1/nope')).headers.get('content-type')).toContain('application/problem+json');
  });
});

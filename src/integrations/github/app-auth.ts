/**
 * GitHub App credentials: a JWT signed with the app's private key (RS256, issued 60 s in the past for clock drift,
 * valid 9 minutes, as GitHub documents) is exchanged for an installation access token, cached until shortly before
 * it expires. Used when the integration has `app_id`, `installation_id` and an `app_private_key` secret.
 */
import { createSign } from 'node:crypto';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function appJwt(appId: number, privateKeyPem: string, now: Date = new Date()): string {
  const iat = Math.floor(now.getTime() / 1000) - 60;
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ iat, exp: iat + 9 * 60, iss: String(appId) }));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKeyPem);
  return `${header}.${payload}.${b64url(signature)}`;
}

const cache = new Map<string, { token: string; expiresAt: number }>();

/** An installation access token for the app installation (cached per app, installation and API root). */
export async function installationToken(input: {
  apiUrl: string;
  appId: number;
  installationId: number;
  privateKeyPem: string;
  now?: Date;
}): Promise<string> {
  const now = (input.now ?? new Date()).getTime();
  const key = `${input.apiUrl}\0${input.appId}\0${input.installationId}`;
  const cached = cache.get(key);
  if (cached && cached.expiresAt - 60_000 > now) return cached.token;
  const res = await fetch(
    `${input.apiUrl.replace(/\/$/, '')}/app/installations/${input.installationId}/access_tokens`,
    {
      method: 'POST',
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${appJwt(input.appId, input.privateKeyPem, new Date(now))}`,
        'user-agent': 'ambit',
        'x-github-api-version': '2022-11-28',
      },
    },
  );
  if (!res.ok) {
    const err = new Error(`GitHub refused the app's installation token request (${res.status})`);
    (err as Error & { status: number }).status = res.status;
    throw err;
  }
  const body = (await res.json()) as { token?: unknown; expires_at?: unknown };
  if (typeof body.token !== 'string') throw new Error('GitHub answered an installation token request without a token');
  const expiresAt = typeof body.expires_at === 'string' ? Date.parse(body.expires_at) : now + 50 * 60_000;
  cache.set(key, { token: body.token, expiresAt });
  return body.token;
}

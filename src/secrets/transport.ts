/**
 * Run secrets on their way from the platform worker (which reads the database) to the host worker (which runs
 * the environment) travel through Temporal as one opaque string: the name→value map sealed with AES-256-GCM
 * under the host transport key, with the run id as AAD so a sealed map opens only for its own run. Temporal
 * payloads and histories therefore never hold a value in plaintext.
 */
import { decrypt, encrypt, SecretCryptoError } from './crypto';
import { rememberSecretValues } from './known-values';
import { NO_REDACTION, Redactor } from './redact';

const PREFIX = 'ambit-sealed-v1:';

/** `ambit-sealed-v1:<run id>:<base64 ciphertext>`; the run id is authenticated (AAD), so it cannot be changed. */
export function sealForHost(hostKey: Uint8Array, runId: string, values: Record<string, string>): string {
  const body = encrypt(hostKey, Buffer.from(JSON.stringify(values), 'utf8'), `run:${runId}`);
  return `${PREFIX}${runId}:${body.toString('base64')}`;
}

/** Opens a sealed map; with `expectedRunId`, refuses one sealed for another run. */
export function unsealForHost(
  hostKey: Uint8Array,
  expectedRunId: string | undefined,
  sealed: string,
): Record<string, string> {
  const sep = sealed.lastIndexOf(':');
  if (!sealed.startsWith(PREFIX) || sep <= PREFIX.length) throw new SecretCryptoError('not a sealed secrets string');
  const runId = sealed.slice(PREFIX.length, sep);
  if (expectedRunId !== undefined && runId !== expectedRunId) {
    throw new SecretCryptoError(`these secrets were sealed for run ${runId}, not ${expectedRunId}`);
  }
  const plain = decrypt(hostKey, Buffer.from(sealed.slice(sep + 1), 'base64'), `run:${runId}`);
  const parsed = JSON.parse(plain.toString('utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SecretCryptoError('sealed secrets are not a name→value map');
  }
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') values[k] = v;
  return values;
}

/** What a host activity needs: the variables to inject and a redactor for everything it returns. */
export interface OpenedRunSecrets {
  env: Record<string, string>;
  redactor: Redactor;
}

export const NO_RUN_SECRETS: OpenedRunSecrets = Object.freeze({ env: {}, redactor: NO_REDACTION });

/** Opens a run's sealed secrets on a host; `sealed` undefined (a run without secrets) gives none. */
export function openRunSecrets(hostKey: Uint8Array, runId: string, sealed: string | undefined): OpenedRunSecrets {
  if (!sealed) return NO_RUN_SECRETS;
  const env = unsealForHost(hostKey, runId, sealed);
  rememberSecretValues(Object.values(env));
  return { env, redactor: new Redactor(Object.values(env)) };
}

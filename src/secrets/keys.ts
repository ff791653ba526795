/**
 * Which keys this process uses. The master key comes from AMBIT_MASTER_KEY; in development (NODE_ENV other than
 * production) a missing one is generated once into `${dataDir}/secrets/master.key` (mode 0600) so `npm start`
 * works out of the box. The host transport key (AMBIT_HOST_SECRETS_KEY) seals run secrets on their way to host
 * workers; unset, it is derived from the master key, which suits a single machine.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config';
import { deriveKey, KEY_BYTES } from './crypto';

export type KeyConfig = Pick<AppConfig, 'dataDir' | 'secrets'>;

export const DEV_MASTER_KEY_FILE = path.join('secrets', 'master.key');

export class MissingKeyError extends Error {
  override readonly name = 'MissingKeyError';
}

const generated = new Map<string, Buffer>();

/** The current master key (configured, or the development key file). */
export function masterKeyOf(cfg: KeyConfig): Buffer {
  if (cfg.secrets.masterKey) return cfg.secrets.masterKey;
  if (!cfg.secrets.allowDevelopmentKeys) {
    throw new MissingKeyError(
      'AMBIT_MASTER_KEY is not set: secrets cannot be read or written. Create one with `openssl rand -base64 32`.',
    );
  }
  return developmentKey(path.join(path.resolve(cfg.dataDir), DEV_MASTER_KEY_FILE));
}

/** The keys secrets may be wrapped by right now: the current one and, during a rotation, the previous one. */
export function masterKeysOf(cfg: KeyConfig): Buffer[] {
  const keys = [masterKeyOf(cfg)];
  if (cfg.secrets.previousMasterKey) keys.push(cfg.secrets.previousMasterKey);
  return keys;
}

/** The key that seals a run's secrets between the platform worker and the host worker. */
export function hostKeyOf(cfg: KeyConfig): Buffer {
  if (cfg.secrets.hostKey) return cfg.secrets.hostKey;
  return deriveKey(masterKeyOf(cfg), 'ambit host secrets transport v1');
}

/** Reads the development key file, creating it (exclusively, 0600) when missing; two processes agree on one key. */
function developmentKey(file: string): Buffer {
  const cached = generated.get(file);
  if (cached) return cached;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!fs.existsSync(file)) {
    // Written aside and hard-linked into place: the link is atomic, so a concurrent reader never sees half a key.
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, `${crypto.randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new MissingKeyError(
      `${file} does not hold a base64 ${KEY_BYTES}-byte key; delete it or set AMBIT_MASTER_KEY`,
    );
  }
  generated.set(file, key);
  return key;
}

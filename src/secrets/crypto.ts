/**
 * AES-256-GCM, the one cipher of the secrets module. A sealed blob is iv (12 bytes) || auth tag (16 bytes) ||
 * ciphertext; the optional AAD binds a blob to its context (a secret id, a run id) so it cannot be moved elsewhere.
 */
import crypto from 'node:crypto';

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretCryptoError extends Error {
  override readonly name = 'SecretCryptoError';
}

export function encrypt(key: Uint8Array, plaintext: Uint8Array, aad?: string): Buffer {
  assertKey(key);
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Throws `SecretCryptoError` when the key is wrong, the AAD differs, or the blob was altered. */
export function decrypt(key: Uint8Array, blob: Uint8Array, aad?: string): Buffer {
  assertKey(key);
  const buf = Buffer.from(blob);
  if (buf.length < IV_BYTES + TAG_BYTES) throw new SecretCryptoError('sealed data is truncated');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
  decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
  try {
    return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SecretCryptoError('sealed data does not open with this key (wrong key, or altered data)');
  }
}

/** A short public id of a key (stored beside what it wrapped): tells which key to use without revealing it. */
export function keyFingerprint(key: Uint8Array): string {
  return crypto.createHmac('sha256', Buffer.from(key)).update('ambit key fingerprint').digest('hex').slice(0, 16);
}

/** A key for one purpose derived from another (HKDF-SHA256), so one configured key can serve several uses. */
export function deriveKey(key: Uint8Array, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', key, Buffer.alloc(0), Buffer.from(purpose, 'utf8'), KEY_BYTES));
}

function assertKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new SecretCryptoError(`keys are ${KEY_BYTES} bytes; this one has ${key.length}`);
}

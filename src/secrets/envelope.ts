/**
 * Envelope encryption of one secret: the value is encrypted under its own random data key, and the data key is
 * wrapped by the master key. Rotating the master key re-wraps data keys only; values are never re-encrypted. Both
 * layers use the secret id as AAD, so a row's ciphertext cannot be swapped into another row.
 */
import crypto from 'node:crypto';
import { decrypt, encrypt, KEY_BYTES, keyFingerprint, SecretCryptoError } from './crypto';

export interface SealedSecret {
  ciphertext: Uint8Array<ArrayBuffer>;
  wrappedKey: Uint8Array<ArrayBuffer>;
  masterKeyId: string;
}

export interface StoredSecret {
  id: string;
  ciphertext: Uint8Array;
  wrappedKey: Uint8Array;
  masterKeyId: string;
}

const bytes = (b: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(b);

export function sealSecretValue(masterKey: Uint8Array, secretId: string, value: string): SealedSecret {
  const dataKey = crypto.randomBytes(KEY_BYTES);
  try {
    return {
      ciphertext: bytes(encrypt(dataKey, Buffer.from(value, 'utf8'), secretId)),
      wrappedKey: bytes(encrypt(masterKey, dataKey, secretId)),
      masterKeyId: keyFingerprint(masterKey),
    };
  } finally {
    dataKey.fill(0);
  }
}

/** The plaintext value; `masterKeys` may hold the current and the previous key (during a rotation). */
export function openSecretValue(masterKeys: readonly Uint8Array[], row: StoredSecret): string {
  const masterKey = masterKeys.find((k) => keyFingerprint(k) === row.masterKeyId);
  if (!masterKey) {
    throw new SecretCryptoError(
      `secret ${row.id} is wrapped by master key ${row.masterKeyId}, which is not configured ` +
        '(set AMBIT_MASTER_KEY, or AMBIT_MASTER_KEY_PREVIOUS during a rotation)',
    );
  }
  const dataKey = decrypt(masterKey, row.wrappedKey, row.id);
  try {
    return decrypt(dataKey, row.ciphertext, row.id).toString('utf8');
  } finally {
    dataKey.fill(0);
  }
}

/** The same secret's data key wrapped by `to` instead of `from`; the value's ciphertext is unchanged. */
export function rewrapSecret(
  from: Uint8Array,
  to: Uint8Array,
  row: StoredSecret,
): Pick<SealedSecret, 'wrappedKey' | 'masterKeyId'> {
  const dataKey = decrypt(from, row.wrappedKey, row.id);
  try {
    return { wrappedKey: bytes(encrypt(to, dataKey, row.id)), masterKeyId: keyFingerprint(to) };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Temporal payload encryption (optional; on when AMBIT_TEMPORAL_PAYLOAD_KEY is set). Every payload the client and
 * workers send is replaced by one whose data is the original payload (metadata and data) encrypted with AES-256-GCM,
 * so the Temporal server and its histories hold ciphertext only. Secret values never enter payloads in the first
 * place (runs carry them sealed, see transport.ts); this protects everything else a run carries (prompts, tool
 * output, transcripts in flight). The Temporal Web UI reads them through the codec endpoint (src/api/routes/codec.ts).
 */
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { decrypt, encrypt, keyFingerprint } from './crypto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (b: Uint8Array | null | undefined): string => (b ? Buffer.from(b).toString('utf8') : '');

interface InnerPayload {
  m: Record<string, string>;
  d: string;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keyId: string;

  /** `previousKeys` still decode payloads written before a key change. */
  constructor(
    private readonly key: Uint8Array,
    private readonly previousKeys: readonly Uint8Array[] = [],
  ) {
    this.keyId = keyFingerprint(key);
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return this.each(payloads, (p) => {
      const inner: InnerPayload = {
        m: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        d: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
      };
      return {
        metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID]: utf8(this.keyId) },
        data: new Uint8Array(encrypt(this.key, Buffer.from(JSON.stringify(inner), 'utf8'))),
      };
    });
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return this.each(payloads, (p) => {
      if (text(p.metadata?.['encoding']) !== ENCRYPTED_ENCODING) return p;
      const keyId = text(p.metadata?.[KEY_ID]);
      const key = [this.key, ...this.previousKeys].find((k) => keyFingerprint(k) === keyId);
      if (!key) throw new Error(`payload encrypted with key ${keyId}, which is not configured`);
      const inner = JSON.parse(decrypt(key, p.data ?? new Uint8Array()).toString('utf8')) as InnerPayload;
      return {
        metadata: Object.fromEntries(
          Object.entries(inner.m).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
        ),
        data: new Uint8Array(Buffer.from(inner.d, 'base64')),
      };
    });
  }

  /** Runs `fn` over the payloads; a failure rejects the promise (Temporal expects a rejection, not a throw). */
  private each(payloads: Payload[], fn: (p: Payload) => Payload): Promise<Payload[]> {
    try {
      return Promise.resolve(payloads.map(fn));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** The data converter for clients and workers: with the codec when payload encryption is configured. */
export function temporalDataConverter(cfg: { secrets: { payloadCodec?: { key: Uint8Array } } }): DataConverter {
  const codec = cfg.secrets.payloadCodec;
  return codec ? { payloadCodecs: [new AesGcmPayloadCodec(codec.key)] } : {};
}

/** Temporal's codec-server JSON: payloads with base64 metadata values and data (proto3 JSON mapping). */
export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export function payloadFromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
    ),
    data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
  };
}

export function payloadToJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

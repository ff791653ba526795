/**
 * Master key rotation: re-wraps every secret's data key from the previous master key to the current one, in one
 * transaction (all or nothing). Values are not re-encrypted (their data keys do not change). Idempotent: secrets
 * already wrapped by the current key are skipped, so an interrupted or repeated rotation is safe to run again.
 */
import type { Db } from '../db/client';
import { recordAudit } from '../services/audit';
import { keyFingerprint, SecretCryptoError } from './crypto';
import { rewrapSecret } from './envelope';

export interface RotationResult {
  rewrapped: number;
  alreadyCurrent: number;
  currentKeyId: string;
}

export async function rotateMasterKey(db: Db, keys: { from: Uint8Array; to: Uint8Array }): Promise<RotationResult> {
  const fromId = keyFingerprint(keys.from);
  const toId = keyFingerprint(keys.to);
  return db.$transaction(
    async (tx) => {
      // Row locks: a secret created or updated meanwhile waits, and is wrapped by the current key anyway.
      const rows = await tx.$queryRaw<
        { id: string; team_id: string; wrapped_key: Uint8Array; master_key_id: string }[]
      >`
        SELECT id, team_id, wrapped_key, master_key_id FROM secrets ORDER BY id FOR UPDATE`;
      const foreign = rows.filter((r) => r.master_key_id !== fromId && r.master_key_id !== toId);
      if (foreign.length > 0) {
        throw new SecretCryptoError(
          `${foreign.length} secret(s) are wrapped by master key ${foreign[0]!.master_key_id}, which is neither ` +
            `AMBIT_MASTER_KEY (${toId}) nor AMBIT_MASTER_KEY_PREVIOUS (${fromId}); nothing was changed`,
        );
      }
      let rewrapped = 0;
      const teams = new Map<string, number>();
      for (const r of rows) {
        if (r.master_key_id === toId) continue;
        const next = rewrapSecret(keys.from, keys.to, {
          id: r.id,
          wrappedKey: r.wrapped_key,
          ciphertext: new Uint8Array(),
          masterKeyId: r.master_key_id,
        });
        await tx.secret.update({ where: { id: r.id }, data: next });
        rewrapped += 1;
        teams.set(r.team_id, (teams.get(r.team_id) ?? 0) + 1);
      }
      for (const [teamId, count] of teams) {
        await recordAudit(tx, {
          teamId,
          actorType: 'system',
          action: 'secret.rewrapped',
          targetType: 'master_key',
          targetId: toId,
          data: { from: fromId, to: toId, secrets: count },
        });
      }
      return { rewrapped, alreadyCurrent: rows.length - rewrapped, currentKeyId: toId };
    },
    { timeout: 120_000 },
  );
}

/**
 * Run secrets between the platform and the host. `sealRunSecrets` (platform queue, database) resolves the values a
 * run receives and returns them sealed for the host; host activities take the sealed string as `sealedSecrets`,
 * open it with `deps.unsealSecrets`, inject the values as environment variables, and — through
 * `withSecretRedaction` — return only redacted results and errors. So Temporal payloads and histories carry
 * ciphertext, never a value.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../src/db/client';
import type { KeyConfig } from '../src/secrets/keys';
import { hostKeyOf } from '../src/secrets/keys';
import { knownSecretsRedactor, rememberSecretValues } from '../src/secrets/known-values';
import { resolveRunSecrets } from '../src/secrets/store';
import { SecretCryptoError } from '../src/secrets/crypto';
import { sealForHost, unsealForHost } from '../src/secrets/transport';
import { recordAudit } from '../src/services/audit';
import type { ActivityDeps } from './deps';
import { FailureType, RunErrorCode } from '../src/domain/errors';
import { readSecretValues } from '../src/secrets/store';
import { userFailure } from './failures';
import { runNotFound } from './record';

export interface SealRunSecretsResult {
  /** The run's secrets sealed for its host; absent when the run receives none. */
  sealedSecrets?: string;
  /** Their names (not secret), for the run's record. */
  names: string[];
}

/** Resolves and seals a run's secrets; records each secret's use by the run once in the audit log. */
export async function sealRunSecretsFor(db: Db, keys: KeyConfig, runId: string): Promise<SealRunSecretsResult> {
  const run = await db.run.findUnique({
    where: { id: runId },
    select: { id: true, teamId: true, creatorUserId: true, source: true },
  });
  if (!run) throw runNotFound(runId);
  const secrets = await resolveRunSecrets(db, keys, run);
  if (secrets.length === 0) return { names: [] };
  const ids = secrets.map((s) => s.id);
  await db.$transaction(async (tx) => {
    const recorded = await tx.auditEvent.findMany({
      where: { teamId: run.teamId, runId, action: 'secret.used', targetId: { in: ids } },
      select: { targetId: true },
    });
    const done = new Set(recorded.map((r) => r.targetId));
    for (const s of secrets) {
      if (done.has(s.id)) continue;
      await recordAudit(tx, {
        teamId: run.teamId,
        actorType: 'system',
        action: 'secret.used',
        targetType: 'secret',
        targetId: s.id,
        runId,
        data: { name: s.name, scope: s.scope },
      });
    }
    await tx.secret.updateMany({ where: { id: { in: ids } }, data: { lastUsedAt: new Date() } });
  });
  const values = Object.fromEntries(secrets.map((s) => [s.name, s.value]));
  return { sealedSecrets: sealForHost(hostKeyOf(keys), runId, values), names: secrets.map((s) => s.name).sort() };
}

export function createSecretActivities(deps: Pick<ActivityDeps, 'db' | 'secretKeys'>) {
  return {
    /** Platform queue: the run's secrets, sealed for its host (see the module comment). */
    async sealRunSecrets(input: { runId: string }): Promise<SealRunSecretsResult> {
      if (!deps.secretKeys) {
        throw ApplicationFailure.nonRetryable('this worker has no secrets configuration', 'InvalidConfig');
      }
      return sealRunSecretsFor(deps.db, deps.secretKeys, input.runId);
    },
  };
}

/** The host side's `unsealSecrets`: opens a sealed string with this host's transport key. */
export function hostSecretsOpener(keys: KeyConfig): (sealed: string, runId?: string) => Record<string, string> {
  return (sealed, runId) => {
    let values: Record<string, string>;
    try {
      values = unsealForHost(hostKeyOf(keys), runId, sealed);
    } catch (err) {
      if (!(err instanceof SecretCryptoError)) throw err;
      throw userFailure(
        FailureType.InvalidConfig,
        RunErrorCode.InvalidConfig,
        `this host cannot open the run's secrets (${err.message}); give platform and host workers the same ` +
          'AMBIT_HOST_SECRETS_KEY (create one with `openssl rand -base64 32`)',
      );
    }
    rememberSecretValues(Object.values(values));
    return values;
  };
}

type AnyActivity = (...args: never[]) => Promise<unknown>;

/**
 * Wraps the activities so that what an activity that received `sealedSecrets` returns, and what any activity
 * throws, is redacted of the secret values this worker has handled (and their encodings) before Temporal records it.
 */
export function withSecretRedaction<T extends Record<string, AnyActivity>>(activities: T): T {
  const wrapped: Record<string, AnyActivity> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      const carriesSecrets = args.some(
        (a) =>
          typeof a === 'object' && a !== null && typeof (a as { sealedSecrets?: unknown }).sealedSecrets === 'string',
      );
      try {
        const result = await fn(...args);
        return carriesSecrets ? knownSecretsRedactor().redactDeep(result) : result;
      } catch (err) {
        // Any activity's failure message lands in the history (e.g. a provider error quoting a key): redact them all.
        throw redactError(err);
      }
    };
  }
  return wrapped as T;
}

function redactError(err: unknown): unknown {
  const redactor = knownSecretsRedactor();
  if (!(err instanceof Error) || redactor.empty) return err;
  const message = redactor.redact(err.message);
  if (err instanceof ApplicationFailure) {
    const details = redactor.redactDeep<unknown[]>(err.details ?? []);
    if (message === err.message && JSON.stringify(details) === JSON.stringify(err.details ?? [])) return err;
    return ApplicationFailure.create({
      message,
      type: err.type ?? undefined,
      nonRetryable: err.nonRetryable ?? undefined,
      details,
      category: err.category ?? undefined,
    });
  }
  if (message !== err.message) err.message = message;
  if (err.stack) err.stack = redactor.redact(err.stack);
  return err;
}

/**
 * The provider key of a model whose key is configured by reference (secret:NAME): the team secret of that name.
 * Undefined when the provider's key is configured directly.
 */
export async function modelCredentialsFor(
  deps: Pick<ActivityDeps, 'db' | 'models' | 'secretKeys'>,
  teamId: string,
  modelId: string,
): Promise<{ apiKey: string } | undefined> {
  const name = deps.models.keySecretOf?.(modelId);
  if (!name) return undefined;
  const values = deps.secretKeys ? await readSecretValues(deps.db, deps.secretKeys, { teamId, names: [name] }) : {};
  const apiKey = values[name];
  if (apiKey === undefined) {
    throw userFailure(
      FailureType.InvalidConfig,
      RunErrorCode.InvalidConfig,
      `the provider key of ${modelId} is the team secret ${name}, which this team does not have; ` +
        `create it with \`ambit secret create ${name}\``,
    );
  }
  return { apiKey };
}

/**
 * Checks an integration's settings and secrets before anything is written or registered: the adapter's own config
 * schema, the run defaults, that the environment is visible, and that every required secret role has a secret.
 */
import type { z } from 'zod';
import type { Principal } from '../../db/api-keys';
import type { Db } from '../../db/client';
import { adapterFor } from '../../integrations';
import type { IntegrationAdapter, IntegrationType } from '../../integrations/types';
import { AppError } from '../app-error';
import { findVisibleEnvironment } from '../environments/environment-access';
import { RunDefaultsSchema } from '../triggers/intake';

function firstIssue(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].join('.');
  return `${path}: ${issue?.message ?? 'invalid'}`;
}

function knownKeys(schema: z.ZodType): string[] | undefined {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : undefined;
}

/** The config to store: the adapter's settings (with their defaults filled in) and the run defaults. */
export async function validateIntegrationConfig(
  db: Db,
  principal: Principal,
  type: IntegrationType,
  config: Record<string, unknown>,
): Promise<{ adapter: IntegrationAdapter; config: Record<string, unknown> }> {
  const adapter = adapterFor(type);
  const own = knownKeys(adapter.configSchema);
  if (own) {
    const allowed = new Set([...own, ...Object.keys(RunDefaultsSchema.shape)]);
    const unknown = Object.keys(config).filter((k) => !allowed.has(k));
    if (unknown.length > 0) {
      throw new AppError(
        'invalid_request',
        `config.${unknown[0]}: not a setting of ${type} integrations; known settings: ${[...allowed].join(', ')}`,
      );
    }
  }
  const settings = adapter.configSchema.safeParse(config);
  if (!settings.success) throw new AppError('invalid_request', firstIssue(settings.error, 'config'));
  const defaults = RunDefaultsSchema.safeParse(config);
  if (!defaults.success) throw new AppError('invalid_request', firstIssue(defaults.error, 'config'));
  if (defaults.data.environment_id !== undefined) {
    await findVisibleEnvironment(db, principal, defaults.data.environment_id, 'config.environment_id');
  }
  const stored: Record<string, unknown> = { ...settings.data };
  for (const [k, v] of Object.entries(defaults.data)) if (v !== undefined) stored[k] = v;
  return { adapter, config: stored };
}

/** The name a secret given by value is stored under: `<TYPE>_<NAME>_<ROLE>`, upper-cased. */
export function defaultSecretName(type: string, name: string, role: string): string {
  return `${type}_${name}_${role}`
    .toUpperCase()
    .replace(/[^A-Z0-9_]+/g, '_')
    .slice(0, 128);
}

/**
 * The secret names by role, after values are stored. Roles the adapter does not know are refused; required roles
 * must be given by name or by value; a name given without a value must exist among the team's secrets.
 */
export async function resolveSecretRefs(
  db: Db,
  input: {
    teamId: string;
    adapter: IntegrationAdapter;
    name: string;
    current?: Record<string, string>;
    refs?: Record<string, string>;
    values?: Record<string, string>;
  },
): Promise<Record<string, string>> {
  const { adapter } = input;
  const roles = new Set(adapter.secretRoles.map((r) => r.role));
  for (const [field, given] of [
    ['secret_refs', input.refs],
    ['secret_values', input.values],
  ] as const) {
    for (const role of Object.keys(given ?? {})) {
      if (!roles.has(role)) {
        throw new AppError(
          'invalid_request',
          `${field}.${role}: ${adapter.type} integrations use the secret roles ${[...roles].join(', ')}`,
        );
      }
    }
  }
  const refs: Record<string, string> = { ...input.current, ...input.refs };
  for (const role of Object.keys(input.values ?? {})) {
    refs[role] ??= defaultSecretName(adapter.type, input.name, role);
  }
  for (const role of adapter.secretRoles) {
    if (role.required && !refs[role.role]) {
      throw new AppError(
        'invalid_request',
        `secret_refs.${role.role}: required (${role.description}); name a team secret, or give its value in secret_values.${role.role}`,
      );
    }
  }
  for (const [role, name] of Object.entries(input.refs ?? {})) {
    if (input.values?.[role] !== undefined) continue;
    const exists = await db.secret.findFirst({
      where: { teamId: input.teamId, scope: 'Team', ownerKey: '', name },
      select: { id: true },
    });
    if (!exists) {
      throw new AppError(
        'invalid_request',
        `secret_refs.${role}: the team has no secret named ${name}; create it (ambit secret create ${name}) or give secret_values.${role}`,
      );
    }
  }
  return refs;
}

/** A failure of the service's API while registering or removing a webhook, as the client should see it. */
export function serviceFailure(what: string, err: unknown): AppError {
  const status = (err as { status?: unknown }).status;
  const message = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 300) : String(err);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('invalid_request', `${what}: the service answered ${status}: ${message}`, { cause: err });
  }
  return new AppError('resource_unavailable', `${what}: ${message}; retry shortly`, { status: 502, cause: err });
}

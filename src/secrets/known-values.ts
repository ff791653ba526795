/**
 * The secret values this process has handled (created, read for a run, unsealed on a host), so that output paths
 * without a run at hand (the logger, the API's error handler) can still redact them. Bounded: the oldest values are
 * forgotten first; the per-run redactors remain the primary defence.
 */
import { Redactor } from './redact';

const MAX_VALUES = 5_000;
const values = new Set<string>();
let redactor: Redactor | undefined;

export function rememberSecretValues(list: Iterable<string>): void {
  let changed = false;
  for (const v of list) {
    if (values.has(v)) continue;
    values.add(v);
    changed = true;
    if (values.size > MAX_VALUES) values.delete(values.values().next().value as string);
  }
  if (changed) redactor = undefined;
}

/** A redactor over every value remembered so far. */
export function knownSecretsRedactor(): Redactor {
  redactor ??= new Redactor(values);
  return redactor;
}

/** Redacts every remembered secret value (and its encodings) in `text`. */
export function redactKnownSecrets(text: string): string {
  return values.size === 0 ? text : knownSecretsRedactor().redact(text);
}

/** Tests only: forget everything. */
export function forgetSecretValues(): void {
  values.clear();
  redactor = undefined;
}

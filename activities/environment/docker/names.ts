/**
 * Names and labels of what the Docker provider creates. Everything is derived from the run id, so a retried
 * activity, a restarted worker and the reaper all find the same container and volume.
 */
import { EnvironmentPathError } from '../provider';

export const LABEL_MANAGED = 'ambit.managed';
export const LABEL_RUN_ID = 'ambit.run-id';
export const MANAGED_FILTER = `${LABEL_MANAGED}=true`;

/** Mount point of the run's workspace volume inside the container. */
export const WORKSPACE_DIR = '/workspace';
/** Root-owned bookkeeping inside the container (resolved user, finished provisioning steps). */
export const STATE_DIR = '/.ambit';

/** Docker names allow `[a-zA-Z0-9][a-zA-Z0-9_.-]*`; run ids must fit so the names stay deterministic. */
const RUN_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

function checkedRunId(runId: string): string {
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new EnvironmentPathError(`run id "${runId}" cannot name a container: use letters, digits, "_", "." or "-"`);
  }
  return runId;
}

export function containerName(runId: string): string {
  return `ambit-run-${checkedRunId(runId)}`;
}

export function volumeName(runId: string): string {
  return `ambit-ws-${checkedRunId(runId)}`;
}

export function managedLabels(runId: string): Record<string, string> {
  return { [LABEL_MANAGED]: 'true', [LABEL_RUN_ID]: checkedRunId(runId) };
}

/** True for Docker's "no such container/volume/image" answers. */
export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number } | null)?.statusCode === 404;
}

export function statusCodeOf(err: unknown): number | undefined {
  return (err as { statusCode?: number } | null)?.statusCode;
}

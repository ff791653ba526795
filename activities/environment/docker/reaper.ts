import type Docker from 'dockerode';
import { removeContainerAndVolume } from './docker-provider';
import { LABEL_RUN_ID, MANAGED_FILTER } from './names';

export interface ReapResult {
  /** Run ids whose container and/or workspace volume were removed. */
  removed: string[];
  /** Run ids whose removal failed (retried at the next pass), with the reason. */
  failed: { runId: string; error: string }[];
}

/**
 * Removes the containers and workspace volumes of runs that are no longer active: a worker that crashed (or a
 * cleanup that never ran) leaves them behind. Call it when a host worker starts and then on an interval, with
 * `isRunActive` answering from the run record (true while the run is not in a terminal state; false for a run that
 * ended or that the database does not know):
 *
 *   await reapContainers({ docker, isRunActive });
 *   setInterval(() => void reapContainers({ docker, isRunActive }).catch(log), 5 * 60_000).unref();
 *
 * Only resources labelled `ambit.managed=true` are looked at; anything else on the engine is left alone.
 */
export async function reapContainers(input: {
  docker: Docker;
  isRunActive: (runId: string) => Promise<boolean>;
}): Promise<ReapResult> {
  const { docker, isRunActive } = input;
  const runIds = new Set<string>();
  const containers = await docker.listContainers({ all: true, filters: { label: [MANAGED_FILTER] } });
  for (const c of containers) {
    const runId = c.Labels[LABEL_RUN_ID];
    if (runId) runIds.add(runId);
  }
  // A volume outlives its container when removal stopped half way.
  const volumes = await docker.listVolumes({ filters: { label: [MANAGED_FILTER] } });
  for (const v of volumes.Volumes ?? []) {
    const runId = v.Labels?.[LABEL_RUN_ID];
    if (runId) runIds.add(runId);
  }
  const result: ReapResult = { removed: [], failed: [] };
  for (const runId of runIds) {
    try {
      if (await isRunActive(runId)) continue;
      await removeContainerAndVolume(docker, runId);
      result.removed.push(runId);
    } catch (err) {
      result.failed.push({ runId, error: (err as Error).message });
    }
  }
  return result;
}

/**
 * Warm starts: after a run's setup succeeds its container is committed to a local image `ambit-snapshot:<key>`, and a
 * later run whose key matches starts from that image instead of cloning and running the setup commands again. The key
 * covers everything that decides what setup produces, so any change makes a new key and a cold start.
 */
import crypto from 'node:crypto';
import type Docker from 'dockerode';
import { z } from 'zod';
import { isNotFound, statusCodeOf } from './names';

export const SNAPSHOT_REPOSITORY = 'ambit-snapshot';
export const LABEL_MANAGED_SNAPSHOT = 'ambit.managed-snapshot';
export const LABEL_SNAPSHOT_KEY = 'ambit.snapshot-key';
/** Milliseconds since the epoch when the snapshot was committed. */
export const LABEL_SNAPSHOT_CREATED = 'ambit.snapshot-created';
/** Bytes the snapshot adds on top of its base image (the container's writable layer): what evicting it frees. */
export const LABEL_SNAPSHOT_SIZE = 'ambit.snapshot-size';
export const SNAPSHOT_FILTER = `${LABEL_MANAGED_SNAPSHOT}=true`;

export const DEFAULT_SNAPSHOT_TTL_MS = 7 * 24 * 3600_000;
export const DEFAULT_SNAPSHOT_MAX_BYTES = 10 * 1024 ** 3;

export const SnapshotOptionsSchema = z.object({
  ttlMs: z
    .number()
    .int('snapshots.ttlMs must be a whole number of milliseconds')
    .positive('snapshots.ttlMs must be above 0, e.g. 604800000 for 7 days')
    .optional(),
  maxBytes: z
    .number()
    .int('snapshots.maxBytes must be a whole number of bytes')
    .positive('snapshots.maxBytes must be above 0, e.g. 10737418240 for 10 GiB')
    .optional(),
});
export type SnapshotOptions = z.infer<typeof SnapshotOptionsSchema>;

/** Which snapshot a run's environment came from (`reused`) or was saved as (not reused: the run made it). */
export interface SnapshotRef {
  key: string;
  image: string;
  reused: boolean;
}

export interface SnapshotKeyInput {
  /** The base image's id as the engine resolved it (`sha256:...`), not its tag: a re-pushed tag is a new image. */
  imageId: string;
  /** In order, each with the commit its ref resolved to. */
  repositories: { url: string; folder: string; commit: string }[];
  setupCommands: string[];
  env: Record<string, string>;
  user?: string;
}

/** sha256 over the inputs in a fixed order; never fed tokens or registry credentials. */
export function snapshotKey(input: SnapshotKeyInput): string {
  const canonical = JSON.stringify({
    v: 1,
    image: input.imageId,
    repositories: input.repositories.map((r) => [r.url, r.folder, r.commit]),
    setup: input.setupCommands,
    env: Object.keys(input.env)
      .sort()
      .map((k) => [k, input.env[k]]),
    user: input.user ?? null,
  });
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

export function snapshotImage(key: string): string {
  return `${SNAPSHOT_REPOSITORY}:${key}`;
}

/** The snapshot image for a key when the engine has it. */
export async function findSnapshot(docker: Docker, key: string): Promise<string | null> {
  const image = snapshotImage(key);
  try {
    const info = await docker.getImage(image).inspect();
    return info.Config.Labels?.[LABEL_SNAPSHOT_KEY] === key ? image : null;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** Commits a container as the snapshot of a key, labelled so eviction can find, date and size it. */
export async function commitSnapshot(
  docker: Docker,
  container: string,
  key: string,
  now = Date.now(),
): Promise<string> {
  // `size=true` is a query parameter the engine knows and the typings leave out.
  const inspectWithSize = { size: true } as Docker.ContainerInspectOptions;
  const info = (await docker.getContainer(container).inspect(inspectWithSize)) as { SizeRw?: number };
  const size = info.SizeRw ?? 0;
  await docker.getContainer(container).commit({
    repo: SNAPSHOT_REPOSITORY,
    tag: key,
    comment: 'ambit warm-start snapshot',
    changes: [
      `LABEL ${LABEL_MANAGED_SNAPSHOT}=true`,
      `LABEL ${LABEL_SNAPSHOT_KEY}=${key}`,
      `LABEL ${LABEL_SNAPSHOT_CREATED}=${now}`,
      `LABEL ${LABEL_SNAPSHOT_SIZE}=${size}`,
    ],
  });
  return snapshotImage(key);
}

export interface SnapshotInfo {
  id: string;
  key: string;
  /** `ambit-snapshot:<key>`, or the image id when another commit of the same key took the tag. */
  image: string;
  createdMs: number;
  sizeBytes: number;
}

export async function listSnapshots(docker: Docker): Promise<SnapshotInfo[]> {
  const images = await docker.listImages({ all: false, filters: { label: [SNAPSHOT_FILTER] } });
  return images.map((img) => {
    const labels = img.Labels ?? {};
    const key = labels[LABEL_SNAPSHOT_KEY] ?? '';
    const tagged = (img.RepoTags ?? []).includes(snapshotImage(key));
    return {
      id: img.Id,
      key,
      image: tagged ? snapshotImage(key) : img.Id,
      createdMs: Number(labels[LABEL_SNAPSHOT_CREATED]) || img.Created * 1000,
      sizeBytes: Number(labels[LABEL_SNAPSHOT_SIZE]) || img.Size,
    };
  });
}

/**
 * Removes snapshots older than the TTL, then the oldest until the rest fit under the size cap. `keep` (the snapshot
 * just committed) is never removed: the run that made it is the likeliest to be repeated. A snapshot a container is
 * still using cannot be removed (409); it is skipped and retried after the next commit.
 */
export async function evictSnapshots(
  docker: Docker,
  options: { ttlMs: number; maxBytes: number; keep?: string; now?: number },
): Promise<string[]> {
  const now = options.now ?? Date.now();
  const snapshots = (await listSnapshots(docker)).sort((a, b) => a.createdMs - b.createdMs);
  const removed: string[] = [];
  const remove = async (s: SnapshotInfo): Promise<boolean> => {
    try {
      await docker.getImage(s.image).remove({ noprune: false });
      removed.push(s.key);
      return true;
    } catch (err) {
      if (isNotFound(err)) return true;
      if (statusCodeOf(err) === 409) return false;
      throw err;
    }
  };
  const left: SnapshotInfo[] = [];
  for (const s of snapshots) {
    if (s.key !== options.keep && now - s.createdMs > options.ttlMs && (await remove(s))) continue;
    left.push(s);
  }
  let total = left.reduce((sum, s) => sum + s.sizeBytes, 0);
  for (const s of left) {
    if (total <= options.maxBytes) break;
    if (s.key === options.keep) continue;
    if (await remove(s)) total -= s.sizeBytes;
  }
  return removed;
}

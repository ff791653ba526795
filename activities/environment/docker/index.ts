export { DockerProvider, removeContainerAndVolume, type DockerProviderOptions } from './docker-provider';
export { DockerExecTransport, type DockerExecTransportOptions } from './mcp-transport';
export { reapContainers, type ReapResult } from './reaper';
export { ensureImage } from './image';
export { containerName, volumeName, LABEL_MANAGED, LABEL_RUN_ID, MANAGED_FILTER, WORKSPACE_DIR } from './names';
export {
  DEFAULT_SNAPSHOT_MAX_BYTES,
  DEFAULT_SNAPSHOT_TTL_MS,
  evictSnapshots,
  LABEL_MANAGED_SNAPSHOT,
  LABEL_SNAPSHOT_CREATED,
  LABEL_SNAPSHOT_KEY,
  LABEL_SNAPSHOT_SIZE,
  listSnapshots,
  SNAPSHOT_FILTER,
  snapshotImage,
  snapshotKey,
  type SnapshotInfo,
  type SnapshotOptions,
  type SnapshotRef,
} from './snapshots';

export { DockerProvider, removeContainerAndVolume, type DockerProviderOptions } from './docker-provider';
export { DockerExecTransport, type DockerExecTransportOptions } from './mcp-transport';
export { reapContainers, type ReapResult } from './reaper';
export { ensureImage } from './image';
export { containerName, volumeName, LABEL_MANAGED, LABEL_RUN_ID, MANAGED_FILTER, WORKSPACE_DIR } from './names';

import type { EnvironmentRef } from '../../workflows/definitions';
import {
  EnvironmentPathError,
  type EnvironmentHandle,
  type EnvironmentProvider,
  type EnvironmentSpec,
  type ExecOptions,
  type PrepareEnvironmentInput,
} from './provider';

export class NoContainerEngineError extends Error {
  override readonly name = 'NoContainerEngineError';
}

/**
 * The environments of one host worker: runs whose environment names an image go to the container provider (when
 * this host has an engine), runs without one to the workspace provider. Later calls follow the provider named in
 * the ref, so a restarted worker finds each environment where it was made.
 */
export class RoutingEnvironmentProvider implements EnvironmentProvider {
  readonly name = 'routing';
  constructor(
    private readonly workspace: EnvironmentProvider,
    private readonly containers?: EnvironmentProvider,
    /** This host's environment for runs that name none (AMBIT_HOST_DEFAULT_IMAGE); absent: a local workspace. */
    private readonly defaultSpec?: EnvironmentSpec,
  ) {}

  private byName(name: string): EnvironmentProvider {
    if (name === this.workspace.name) return this.workspace;
    if (this.containers && name === this.containers.name) return this.containers;
    throw new EnvironmentPathError(`environment provider ${name} is not available on this host`);
  }

  prepare(request: PrepareEnvironmentInput): Promise<EnvironmentHandle> {
    const input = !request.spec && this.defaultSpec ? { ...request, spec: this.defaultSpec } : request;
    if (!input.spec) return this.workspace.prepare(input);
    if (!this.containers) {
      return Promise.reject(
        new NoContainerEngineError(
          `this host has no Docker engine, so it cannot run environment image ${input.spec.image}: ` +
            'start the worker where DOCKER_HOST (or /var/run/docker.sock) reaches an engine, or route the run to such a host',
        ),
      );
    }
    return this.containers.prepare(input);
  }

  async attach(ref: EnvironmentRef) {
    return this.byName(ref.provider).attach(ref);
  }
  exec(handle: EnvironmentHandle, command: string, options: ExecOptions) {
    return this.byName(handle.provider).exec(handle, command, options);
  }
  readFile(handle: EnvironmentHandle, relativePath: string) {
    return this.byName(handle.provider).readFile(handle, relativePath);
  }
  writeFile(handle: EnvironmentHandle, relativePath: string, content: string | Buffer) {
    return this.byName(handle.provider).writeFile(handle, relativePath, content);
  }
  listFiles(handle: EnvironmentHandle, relativePath: string, options: { recursive: boolean; limit: number }) {
    return this.byName(handle.provider).listFiles(handle, relativePath, options);
  }
  mcpStdioTransport(
    handle: EnvironmentHandle,
    server: { command: string; args?: string[]; env?: Record<string, string> },
  ) {
    return this.byName(handle.provider).mcpStdioTransport(handle, server);
  }
  /** A ref whose provider is unknown (provisioning was interrupted) is removed from every provider: both are idempotent. */
  async destroy(ref: EnvironmentRef): Promise<void> {
    if (ref.provider === this.workspace.name || (this.containers && ref.provider === this.containers.name)) {
      return this.byName(ref.provider).destroy(ref);
    }
    await this.workspace.destroy(ref);
    await this.containers?.destroy(ref);
  }
}

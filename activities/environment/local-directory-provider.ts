/**
 * The environment of a local run (`ambit agent run`): the user's own directory, as it is. The agent works in it
 * directly (no copy), and nothing is removed when the run ends: cleanup leaves the user's files alone.
 */
import type { EnvironmentRef } from '../../workflows/definitions';
import type { EnvironmentHandle, PrepareEnvironmentInput } from './provider';
import { WorkspaceProvider } from './workspace-provider';

export class LocalDirectoryProvider extends WorkspaceProvider {
  constructor(private readonly directory: string) {
    super(directory);
  }

  override prepare(input: PrepareEnvironmentInput): Promise<EnvironmentHandle> {
    input.onProgress?.(`local run: working in ${this.directory}`);
    return Promise.resolve({ provider: this.name, id: input.runId, workdir: this.directory });
  }

  override attach(ref: EnvironmentRef): Promise<EnvironmentHandle | null> {
    return Promise.resolve({ ...ref, workdir: this.directory });
  }

  /** The directory is the user's: a local run never deletes it. */
  override destroy(_ref: EnvironmentRef): Promise<void> {
    return Promise.resolve();
  }
}

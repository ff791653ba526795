/**
 * The activities a host worker runs for a run's environment. They take everything they need in their input and
 * return what they produce: a host worker holds only a Temporal connection (no database), so the workflow hands
 * their results to platform activities (`environment-record.ts`) to record.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import type { McpServer } from '../src/domain/agent-config';
import { FailureType, RunErrorCode } from '../src/domain/errors';
import { parseRegistryCredential, registryHostOf, registrySecretName } from '../src/domain/registry';
import type { EnvironmentRef } from '../workflows/definitions';
import type { ActivityDeps } from './deps';
import { attachOrFail } from './environment';
import { EnvironmentSetupError, type EnvironmentSpec } from './environment/provider';
import { NoContainerEngineError } from './environment/routing-provider';
import { userFailure } from './failures';
import { withHeartbeat } from './heartbeat';
import { listMcpTools, McpConfigError } from './tools/mcp';
import type { ToolDefinition } from './tools/types';

/** Failure type of `acceptRun` on a full host: retried (the run waits QUEUED) until a slot frees up. */
export const HOST_AT_CAPACITY = 'HostAtCapacity';

/** Progress lines one provisioning step returns, and their total size: a step's result stays a small payload. */
const MAX_STEP_LINES = 200;
const MAX_STEP_CHARS = 32_000;

export interface PrepareStepInput {
  runId: string;
  /** The run's environment as the platform resolved it; absent: this host's default. */
  spec?: EnvironmentSpec;
  /** Secrets sealed on the platform for this host (decrypted here, injected as variables, never returned). */
  sealedSecrets?: string;
}

export interface PrepareStepResult {
  environment: EnvironmentRef;
  /** False: more steps remain (another clone or setup command); call again. */
  complete: boolean;
  /** What this step printed (bounded); the workflow records it as the run's events. */
  progress: string[];
  /** Lines dropped to keep the payload small. */
  droppedLines?: number;
  snapshot?: { key: string; image: string; reused: boolean };
  /** A user-side setup failure (a setup command or clone failed): the run ends FAILED with this message. */
  setupFailed?: { message: string };
}

/** Keeps a step's progress within the payload budget: the first lines and the last ones (where errors are). */
export function boundedLines(lines: string[]): { lines: string[]; dropped: number } {
  const cut = lines.map((l) => (l.length > 2000 ? `${l.slice(0, 2000)}…` : l));
  let total = 0;
  const kept: string[] = [];
  for (let i = cut.length - 1; i >= 0 && kept.length < MAX_STEP_LINES; i--) {
    const line = cut[i] ?? '';
    if (total + line.length > MAX_STEP_CHARS) break;
    total += line.length;
    kept.unshift(line);
  }
  return { lines: kept, dropped: cut.length - kept.length };
}

/**
 * The variables of the run's sealed secrets, for the commands of this host. The secrets helper plugs its decryption
 * in here (a host key from configuration); until then a run that carries sealed secrets cannot run on a host.
 */
export function secretEnvOf(deps: Pick<ActivityDeps, 'unsealSecrets'>, sealed: string | undefined) {
  if (!sealed) return undefined;
  if (!deps.unsealSecrets) {
    throw ApplicationFailure.nonRetryable(
      'this host worker cannot open the run secrets: it has no host key configured',
      FailureType.InvalidConfig,
      { errorCode: RunErrorCode.InvalidConfig },
    );
  }
  return deps.unsealSecrets(sealed);
}

/**
 * Registry credentials by reference: a run secret `REGISTRY_AUTH_<HOST>` (`user:password`) for the image's registry,
 * unless the spec already has credentials. The host's own AMBIT_REGISTRY_AUTH comes after both (in the provider).
 */
export function withRegistryAuthFromSecrets(
  spec: EnvironmentSpec | undefined,
  secrets: Record<string, string> | undefined,
): EnvironmentSpec | undefined {
  if (!spec || spec.registryAuth || !secrets) return spec;
  const host = registryHostOf(spec.image);
  const value = secrets[registrySecretName(host)];
  const credential = value === undefined ? undefined : parseRegistryCredential(value, host);
  return credential ? { ...spec, registryAuth: credential } : spec;
}

export function createHostEnvironmentActivities(
  deps: Pick<ActivityDeps, 'environments' | 'logger' | 'hostSlots' | 'unsealSecrets'>,
) {
  const { environments } = deps;
  return {
    /**
     * The run's first activity on its host: takes one of the host's slots. A full host refuses (retried with a short
     * backoff), so the run waits QUEUED; a host without a live worker never picks the task up, with the same effect.
     */
    // eslint-disable-next-line @typescript-eslint/require-await -- an activity: the worker awaits what it returns
    async acceptRun(input: { runId: string }): Promise<{ hostId?: string }> {
      const slots = deps.hostSlots;
      if (slots && !slots.tryAccept(input.runId)) {
        throw ApplicationFailure.create({
          message: `host ${slots.hostId} runs ${slots.capacity} run(s), its capacity; the run waits for a free slot`,
          type: HOST_AT_CAPACITY,
          category: ApplicationFailureCategory.BENIGN,
        });
      }
      return slots ? { hostId: slots.hostId } : {};
    },

    /**
     * One provisioning step: creates the environment, or runs its next clone or setup command. Idempotent: the
     * provider records finished steps in the environment, so a retry (after a crash) resumes without a second
     * container.
     */
    async prepareEnvironmentStep(input: PrepareStepInput): Promise<PrepareStepResult> {
      deps.hostSlots?.touch(input.runId);
      const env = secretEnvOf(deps, input.sealedSecrets);
      const progress: string[] = [];
      const ref = { provider: 'unknown', id: input.runId };
      try {
        const handle = await withHeartbeat((signal) =>
          environments.prepare({
            runId: input.runId,
            spec: withRegistryAuthFromSecrets(input.spec, env),
            signal,
            stepwise: true,
            ...(env ? { env } : {}),
            onProgress: (message) => progress.push(message),
          }),
        );
        const out = boundedLines(progress);
        return {
          environment: { provider: handle.provider, id: handle.id },
          complete: !handle.incomplete,
          progress: out.lines,
          ...(out.dropped ? { droppedLines: out.dropped } : {}),
          ...(handle.snapshot ? { snapshot: { ...handle.snapshot } } : {}),
        };
      } catch (err) {
        if (err instanceof EnvironmentSetupError) {
          const out = boundedLines(progress);
          return {
            environment: ref,
            complete: false,
            progress: out.lines,
            ...(out.dropped ? { droppedLines: out.dropped } : {}),
            setupFailed: { message: err.message.slice(0, 8000) },
          };
        }
        if (err instanceof NoContainerEngineError) {
          throw userFailure(FailureType.InvalidConfig, RunErrorCode.InvalidConfig, err.message);
        }
        throw err;
      }
    },

    /** Writes one of the request's attachments into the workspace; rewriting it on a retry is harmless. */
    async writeEnvironmentFile(input: {
      runId: string;
      environment: EnvironmentRef;
      path: string;
      /** base64 */
      data: string;
    }): Promise<void> {
      deps.hostSlots?.touch(input.runId);
      const handle = await attachOrFail(deps, input.environment);
      await environments.writeFile(handle, input.path, Buffer.from(input.data, 'base64'));
    },

    /** Starts the run's MCP stdio servers in the environment and lists their tools (the platform adds the built-ins). */
    async discoverToolsOnHost(input: {
      runId: string;
      environment: EnvironmentRef;
      mcpServers: Record<string, McpServer>;
      sealedSecrets?: string;
    }): Promise<{ tools: ToolDefinition[] }> {
      deps.hostSlots?.touch(input.runId);
      const handle = await attachOrFail(deps, input.environment);
      try {
        const secrets = secretEnvOf(deps, input.sealedSecrets);
        return { tools: await withHeartbeat(() => listMcpTools(input.mcpServers, environments, handle, secrets)) };
      } catch (err) {
        if (err instanceof McpConfigError)
          throw userFailure(FailureType.InvalidConfig, RunErrorCode.InvalidConfig, err.message);
        throw err;
      }
    },
  };
}

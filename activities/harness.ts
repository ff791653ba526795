import { composeInstructions } from '../src/domain/resolution';
import type { Prisma } from '../src/generated/prisma/client';
import { FailureType, RunErrorCode } from '../src/domain/errors';
import type { EnvironmentRef, RunPlan } from '../workflows/definitions';
import type { ActivityDeps } from './deps';
import { attachOrFail } from './environment';
import { userFailure } from './failures';
import { withHeartbeat } from './heartbeat';
import { boundedLines, secretEnvOf } from './environment-host';
import { appendEvents, nextMessageSeq, runNotFound } from './record';

type ExternalHarness = Exclude<RunPlan['harness'], 'ambit'>;

/**
 * Default command lines of the external agent CLIs, in their non-interactive modes. The prompt arrives in
 * $AMBIT_PROMPT (never through the shell's parsing) and the model, when chosen, in $AMBIT_MODEL.
 */
export const DEFAULT_HARNESS_COMMANDS: Record<ExternalHarness, string> = {
  claude:
    'claude -p "$AMBIT_PROMPT" --output-format stream-json --verbose --dangerously-skip-permissions ${AMBIT_MODEL:+--model "$AMBIT_MODEL"}',
  codex: 'codex exec --json --skip-git-repo-check ${AMBIT_MODEL:+--model "$AMBIT_MODEL"} "$AMBIT_PROMPT"',
  gemini: 'gemini --yolo ${AMBIT_MODEL:+--model "$AMBIT_MODEL"} -p "$AMBIT_PROMPT"',
};

/** Which platform credentials each CLI needs, passed into the environment only for that harness. */
const CREDENTIALS: Record<ExternalHarness, string[]> = {
  claude: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'],
  codex: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'],
  gemini: ['GEMINI_API_KEY'],
};

const HARNESS_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const TAIL_CHARS = 4000;

/** Claude Code's stream-json ends with a `result` object; other CLIs' answer is their last output. */
export function finalAnswer(stdout: string): { text: string; inputTokens: number; outputTokens: number } {
  const lines = stdout.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const obj = JSON.parse(lines[i] ?? '') as {
        type?: string;
        result?: unknown;
        usage?: { input_tokens?: number; output_tokens?: number };
      };
      if (obj.type === 'result' && typeof obj.result === 'string') {
        return {
          text: obj.result,
          inputTokens: obj.usage?.input_tokens ?? 0,
          outputTokens: obj.usage?.output_tokens ?? 0,
        };
      }
    } catch {
      break;
    }
  }
  return { text: stdout.trim().slice(-TAIL_CHARS), inputTokens: 0, outputTokens: 0 };
}

/** The variables an external CLI gets: the prompt, the model, and the host's credentials for that CLI. */
function harnessEnv(
  settings: ActivityDeps['settings'],
  harness: ExternalHarness,
  prompt: string,
  modelId: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = { AMBIT_PROMPT: prompt };
  if (modelId) env['AMBIT_MODEL'] = modelId;
  for (const name of CREDENTIALS[harness]) {
    const value = settings.harness.credentials[name];
    if (value) env[name] = value;
  }
  return env;
}

export interface HarnessOutcome {
  /** The CLI's output lines (the last ones, bounded), recorded as the run's log events. */
  lines: string[];
  droppedLines?: number;
  answer?: { text: string; inputTokens: number; outputTokens: number };
  /** The CLI failed: the run ends FAILED with this message. */
  failed?: { message: string };
}

/**
 * External agent CLIs in three activities: the platform loads the prompt, the host runs the CLI and returns its
 * output, the platform records it. (A host worker has no database, so the output is recorded when the CLI ends.)
 */
export function createHostHarnessActivities(
  deps: Pick<ActivityDeps, 'db' | 'environments' | 'settings' | 'hostSlots' | 'unsealSecrets'>,
) {
  const { db, environments, settings } = deps;
  return {
    /** What the CLI needs, or `done` when this turn's answer is already recorded (a retry, a replay). */
    async loadHarnessInput(input: {
      runId: string;
      turn: number;
    }): Promise<{ done: true } | { prompt: string; modelId?: string }> {
      const key = `harness-result-${input.turn}`;
      if (await db.runMessage.findUnique({ where: { runId_key: { runId: input.runId, key } } })) return { done: true };
      const run = await db.run.findUnique({ where: { id: input.runId }, select: { prompt: true, agentConfig: true } });
      if (!run) throw runNotFound(input.runId);
      const config = (run.agentConfig ?? {}) as { harness?: { model_id?: string }; base_prompt?: string };
      return {
        prompt: config.base_prompt ? `${config.base_prompt}\n\n${run.prompt}` : run.prompt,
        ...(config.harness?.model_id ? { modelId: config.harness.model_id } : {}),
      };
    },

    /** Runs the CLI for the whole run inside the environment (on the host). */
    async runHarnessOnHost(input: {
      runId: string;
      environment: EnvironmentRef;
      harness: ExternalHarness;
      prompt: string;
      modelId?: string;
      sealedSecrets?: string;
    }): Promise<HarnessOutcome> {
      deps.hostSlots?.touch(input.runId);
      const secrets = secretEnvOf(deps, input.sealedSecrets);
      const command = settings.harness.commands[input.harness] ?? DEFAULT_HARNESS_COMMANDS[input.harness];
      const env = { ...secrets, ...harnessEnv(settings, input.harness, input.prompt, input.modelId) };
      const handle = await attachOrFail(deps, input.environment);
      const result = await withHeartbeat((signal) =>
        environments.exec(handle, command, {
          env,
          timeoutMs: HARNESS_TIMEOUT_MS,
          outputCapBytes: 8 * 1024 * 1024,
          signal,
        }),
      );
      const out = boundedLines(result.stdout.split('\n').filter((l) => l.trim()));
      const lines = { lines: out.lines, ...(out.dropped ? { droppedLines: out.dropped } : {}) };
      if (result.exitCode !== 0) {
        const tail = (result.stderr || result.stdout).slice(-TAIL_CHARS).trim();
        return {
          ...lines,
          failed: {
            message: `${input.harness} exited with ${result.exitCode ?? 'a signal'}${result.timedOut ? ' (timed out)' : ''}: ${tail}`,
          },
        };
      }
      return { ...lines, answer: finalAnswer(result.stdout) };
    },

    /** Records the CLI's output lines and its answer, once. */
    async recordHarnessResult(input: {
      runId: string;
      turn: number;
      harness: ExternalHarness;
      outcome: HarnessOutcome;
    }): Promise<void> {
      const { runId, turn, outcome } = input;
      const key = `harness-result-${turn}`;
      await appendEvents(db, runId, [
        ...(outcome.droppedLines
          ? [
              {
                key: `harness-${turn}-dropped`,
                type: 'log' as const,
                data: { source: input.harness, line: `(${outcome.droppedLines} earlier line(s) not kept)` },
              },
            ]
          : []),
        ...outcome.lines.map((line, i) => ({
          key: `harness-${turn}-line-${i + 1}`,
          type: 'log' as const,
          data: { source: input.harness, line: line.slice(0, 4000) },
        })),
      ]);
      const answer = outcome.answer;
      if (!answer) return;
      await db.$transaction(async (tx) => {
        if (await tx.runMessage.findUnique({ where: { runId_key: { runId, key } } })) return;
        await tx.runMessage.create({
          data: {
            runId,
            key,
            seq: await nextMessageSeq(tx, runId),
            turn,
            role: 'assistant',
            content: [{ type: 'text', text: answer.text }] as Prisma.InputJsonValue,
          },
        });
        await tx.run.update({
          where: { id: runId },
          data: {
            inputTokens: { increment: answer.inputTokens },
            outputTokens: { increment: answer.outputTokens },
            totalTokens: { increment: answer.inputTokens + answer.outputTokens },
            lastTurn: turn,
            updatedAt: new Date(),
          },
        });
        await appendEvents(tx, runId, [
          { key: `${key}-message`, type: 'message', data: { role: 'assistant', turn, text: answer.text } },
        ]);
      });
    },
  };
}

export function createHarnessActivities(deps: Pick<ActivityDeps, 'db' | 'environments' | 'settings' | 'logger'>) {
  const { db, environments, settings } = deps;
  return {
    /** Runs an external agent CLI for the whole run inside its environment, streaming its output into the run's events. */
    async runHarness(input: {
      runId: string;
      environment: EnvironmentRef;
      harness: ExternalHarness;
      turn: number;
    }): Promise<{ exitCode: number }> {
      const key = `harness-result-${input.turn}`;
      const existing = await db.runMessage.findUnique({ where: { runId_key: { runId: input.runId, key } } });
      if (existing) return { exitCode: 0 };
      const run = await db.run.findUnique({ where: { id: input.runId }, select: { prompt: true, agentConfig: true } });
      if (!run) throw runNotFound(input.runId);
      const config = (run.agentConfig ?? {}) as {
        harness?: { model_id?: string };
        base_prompt?: string;
        rules?: { name: string; content: string }[];
      };
      // The harness reads the repository's AGENTS.md itself; the base prompt and the team's rules go with the prompt.
      const preamble = composeInstructions('', { base_prompt: config.base_prompt, rules: config.rules }).trim();
      const command = settings.harness.commands[input.harness] ?? DEFAULT_HARNESS_COMMANDS[input.harness];
      const env: Record<string, string> = {
        AMBIT_PROMPT: preamble ? `${preamble}\n\n${run.prompt}` : run.prompt,
      };
      if (config.harness?.model_id) env['AMBIT_MODEL'] = config.harness.model_id;
      for (const name of CREDENTIALS[input.harness]) {
        const value = settings.harness.credentials[name];
        if (value) env[name] = value;
      }
      const handle = await attachOrFail(deps, input.environment);

      let pending = '';
      let lineNo = 0;
      const flushLines = (final: boolean) => {
        const parts = pending.split('\n');
        pending = final ? '' : (parts.pop() ?? '');
        const events = parts
          .filter((l) => l.trim())
          .map((line) => ({
            key: `harness-${input.turn}-line-${++lineNo}`,
            type: 'log' as const,
            data: { source: input.harness, line: line.slice(0, 4000) },
          }));
        if (events.length) {
          void appendEvents(db, input.runId, events).catch((err: unknown) =>
            deps.logger.warn({ err }, 'could not record harness output'),
          );
        }
      };
      const result = await withHeartbeat((signal) =>
        environments.exec(handle, command, {
          env,
          timeoutMs: HARNESS_TIMEOUT_MS,
          outputCapBytes: 8 * 1024 * 1024,
          signal,
          onOutput: (chunk, stream) => {
            if (stream !== 'stdout') return;
            pending += chunk;
            flushLines(false);
          },
        }),
      );
      flushLines(true);
      if (result.exitCode !== 0) {
        const tail = (result.stderr || result.stdout).slice(-TAIL_CHARS).trim();
        throw userFailure(
          FailureType.HarnessFailed,
          RunErrorCode.HarnessFailed,
          `${input.harness} exited with ${result.exitCode ?? 'a signal'}${result.timedOut ? ' (timed out)' : ''}: ${tail}`,
        );
      }
      const answer = finalAnswer(result.stdout);
      await db.$transaction(async (tx) => {
        if (await tx.runMessage.findUnique({ where: { runId_key: { runId: input.runId, key } } })) return;
        await tx.runMessage.create({
          data: {
            runId: input.runId,
            key,
            seq: await nextMessageSeq(tx, input.runId),
            turn: input.turn,
            role: 'assistant',
            content: [{ type: 'text', text: answer.text }] as Prisma.InputJsonValue,
          },
        });
        await tx.run.update({
          where: { id: input.runId },
          data: {
            inputTokens: { increment: answer.inputTokens },
            outputTokens: { increment: answer.outputTokens },
            totalTokens: { increment: answer.inputTokens + answer.outputTokens },
            lastTurn: input.turn,
            updatedAt: new Date(),
          },
        });
        await appendEvents(tx, input.runId, [
          { key: `${key}-message`, type: 'message', data: { role: 'assistant', turn: input.turn, text: answer.text } },
        ]);
      });
      return { exitCode: 0 };
    },
  };
}

import { composeInstructions } from '../src/domain/resolution';
import type { Prisma } from '../src/generated/prisma/client';
import { FailureType, RunErrorCode } from '../src/domain/errors';
import type { EnvironmentRef, RunPlan } from '../workflows/definitions';
import type { ActivityDeps } from './deps';
import { attachOrFail } from './environment';
import { userFailure } from './failures';
import { withHeartbeat } from './heartbeat';
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

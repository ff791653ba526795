import type { StatusMessage } from '../src/domain/run';
import type { ActivityDeps } from './deps';
import { appendEvents, runNotFound } from './record';

const SUMMARY_CHARS = 280;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(
      (p): p is { type: 'text'; text: string } =>
        typeof p === 'object' && p !== null && (p as { type?: unknown }).type === 'text',
    )
    .map((p) => p.text)
    .join('\n');
}

export function summarize(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= SUMMARY_CHARS ? oneLine : `${oneLine.slice(0, SUMMARY_CHARS - 1)}…`;
}

export function createOutputActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /**
     * Emits the run's outputs: the agent's final answer as a report artifact (FILE report.md, inline content) and
     * a one-line summary for the status message. Idempotent per execution.
     */
    async emitOutputs(input: {
      runId: string;
      execution: number;
    }): Promise<{ artifactUids: string[]; summary: StatusMessage }> {
      const run = await db.run.findUnique({ where: { id: input.runId }, select: { id: true, artifactTypes: true } });
      if (!run) throw runNotFound(input.runId);
      const lastAssistant = await db.runMessage.findFirst({
        where: { runId: input.runId, role: 'assistant' },
        orderBy: { seq: 'desc' },
      });
      const report = textOf(lastAssistant?.content).trim() || '(the agent finished without a written answer)';
      const uid = `${input.runId}-report-${input.execution}`;
      const filename = input.execution === 1 ? 'report.md' : `report-${input.execution}.md`;
      const data = {
        artifact_uid: uid,
        filepath: filename,
        filename,
        mime_type: 'text/markdown',
        description: 'Final report of the agent',
        size_bytes: Buffer.byteLength(report),
      };
      await db.$transaction(async (tx) => {
        await tx.artifact.upsert({
          where: { uid },
          create: { uid, runId: input.runId, artifactType: 'FILE', data, content: report, sizeBytes: data.size_bytes },
          update: {},
        });
        if (!run.artifactTypes.includes('FILE')) {
          await tx.run.update({ where: { id: input.runId }, data: { artifactTypes: { push: 'FILE' } } });
        }
        await appendEvents(tx, input.runId, [
          { key: `output-${uid}`, type: 'output', data: { artifact_type: 'FILE', ...data } },
        ]);
      });
      return { artifactUids: [uid], summary: { message: summarize(report) } };
    },
  };
}

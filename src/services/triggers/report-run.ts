/**
 * Reports a triggered run's state back to where it came from (a GitHub comment, a Slack thread ...). Called by the
 * platform worker after each recorded state change. Best effort: a service that is down must not stop the run, so
 * failures are logged and kept as the integration's last error, never thrown.
 */
import type { Logger } from 'pino';
import type { AppConfig } from '../../config';
import type { Db } from '../../db/client';
import { isTerminalState, type RunState } from '../../domain';
import type { Prisma } from '../../generated/prisma/client';
import { adapterFor } from '../../integrations';
import type { RunReport } from '../../integrations/types';
import { integrationContext, toIntegrationRecord } from '../integrations/integration-context';

/** Reports run inside recordRunState (30 s): a slow service must not make the state write time out. */
export const REPORT_TIMEOUT_MS = 15_000;

function withinTime<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface RunStateChange {
  runId: string;
  state: string;
  statusMessage?: { message: string } | undefined;
}

export type RunStateReporter = (change: RunStateChange) => Promise<void>;

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

function objectOf(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function createRunStateReporter(deps: {
  db: Db;
  config: Pick<AppConfig, 'publicUrl' | 'dataDir' | 'secrets'>;
  logger: Logger;
}): RunStateReporter {
  const { db, config, logger } = deps;
  return async (change) => {
    const trigger = await db.runTrigger.findUnique({ where: { runId: change.runId } });
    if (!trigger?.integrationId) return;
    const row = await db.integration.findUnique({ where: { id: trigger.integrationId } });
    if (!row) return;
    const integration = toIntegrationRecord(row);
    const adapter = adapterFor(integration.type);
    if (!adapter.reportRun) return;
    try {
      const run = await db.run.findUniqueOrThrow({
        where: { id: change.runId },
        select: { title: true, artifacts: { where: { artifactType: 'PULL_REQUEST' }, select: { data: true } } },
      });
      let finalAnswer: string | undefined;
      if (isTerminalState(change.state as RunState)) {
        const last = await db.runMessage.findFirst({
          where: { runId: change.runId, role: 'assistant' },
          orderBy: { seq: 'desc' },
          select: { content: true },
        });
        finalAnswer = textOf(last?.content).trim() || undefined;
      }
      const report: RunReport = {
        runId: change.runId,
        state: change.state,
        link: `${config.publicUrl}/runs/${encodeURIComponent(change.runId)}`,
        title: run.title,
        ...(change.statusMessage?.message ? { statusMessage: change.statusMessage.message } : {}),
        ...(finalAnswer ? { finalAnswer } : {}),
        pullRequests: run.artifacts
          .map((a) => objectOf(a.data))
          .filter((d): d is { url: string; branch?: string } => typeof d['url'] === 'string')
          .map((d) => ({ url: d.url, ...(typeof d.branch === 'string' ? { branch: d.branch } : {}) })),
        target: objectOf(trigger.target),
      };
      const nextTarget = await withinTime(
        adapter.reportRun(integrationContext(deps, integration), report),
        REPORT_TIMEOUT_MS,
        `the ${integration.type} service did not answer within ${REPORT_TIMEOUT_MS / 1000} s`,
      );
      if (nextTarget) {
        await db.runTrigger.update({
          where: { runId: change.runId },
          data: { target: nextTarget as Prisma.InputJsonObject, updatedAt: new Date() },
        });
      }
    } catch (err) {
      const message = err instanceof Error ? err.message.slice(0, 1000) : String(err);
      logger.warn(
        {
          error: message,
          status: (err as { status?: unknown }).status,
          runId: change.runId,
          integrationId: integration.id,
        },
        'reporting a run to its integration failed',
      );
      await db.integration
        .update({
          where: { id: integration.id },
          data: { lastError: `reporting run ${change.runId}: ${message}`, lastErrorAt: new Date() },
        })
        .catch(() => undefined);
    }
  };
}

/**
 * The contract every integration (github, slack, linear, webhook) implements. An adapter is thin: it verifies and
 * parses what the service sends, says which events start or continue a run, reports a run's progress back, and
 * registers its webhook with the service. Intake (`src/services/triggers/intake.ts`) does everything else: the
 * deterministic run id, exactly-once creation, follow-ups, the run_triggers row, defaults and status.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { RunSource } from '../domain';
import type { AttachmentSchema } from '../domain/run';

export type Attachment = z.infer<typeof AttachmentSchema>;

export const INTEGRATION_TYPES = ['github', 'slack', 'linear', 'webhook'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

/** An integration row with its JSON columns parsed. */
export interface IntegrationRecord {
  id: string;
  teamId: string;
  type: IntegrationType;
  name: string;
  enabled: boolean;
  /** The adapter's own settings (validated by its `configSchema`) plus the run defaults (see RunDefaults). */
  config: Record<string, unknown>;
  /** Secret names by role, e.g. { webhook_secret: 'GITHUB_WEBHOOK_SECRET', token: 'GITHUB_TOKEN' }. */
  secretRefs: Record<string, string>;
  /** The id of the webhook registered with the service, when the adapter registers one. */
  remoteHookId: string | null;
  createdByUserId: string | null;
}

/** What an adapter may use while it handles a request or reports a run. */
export interface IntegrationContext {
  integration: IntegrationRecord;
  /** The value of the secret named for `role` in secretRefs; undefined when the role has no secret. */
  secret(role: string): Promise<string | undefined>;
  logger: Logger;
  /** Ambit's public base URL (run links, the hook URL services call). */
  publicUrl: string;
  /** The URL this integration's service delivers events to: `<publicUrl>/api/v1/hooks/<id>`. */
  hookUrl: string;
  now(): Date;
}

/** An inbound HTTP request as the service sent it. The raw body is what signatures are computed over. */
export interface InboundRequest {
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

/** One event that may start a run or continue one. */
export interface TriggerEvent {
  /** Unique per delivery: the same delivery seen twice is processed once. */
  deliveryId: string;
  /**
   * The conversation the event belongs to (issue, PR, thread): every event with the same key reaches the same run,
   * e.g. `github:octo/repo#12`, `slack:C123:1700000000.000100`. Defaults to the delivery id (one run per delivery).
   */
  conversationKey?: string;
  /** The prompt of a new run, or the follow-up message to an existing one. */
  prompt: string;
  /** False for messages that may only continue a run (a plain reply in a thread): ignored when no run exists. */
  startsRun: boolean;
  title?: string;
  /** Link back to what triggered it (comment, thread, issue). */
  triggerUrl?: string;
  /** Where progress is reported (the adapter's own shape); stored in run_triggers.target. */
  target: Record<string, unknown>;
  /** Context for a new run (title, body, diff, logs ...), fetched only when a run is started. */
  buildContext?(): Promise<TriggerContext>;
  /** Who caused the event, for the audit trail (a login or user id at the service). */
  actor?: string;
}

export interface TriggerContext {
  /** Added to the run's prompt under a heading, after the prompt itself. */
  text?: string;
  /** Files placed in the run's workspace (e.g. the webhook payload as payload.json). */
  attachments?: Attachment[];
}

export type InboundResult =
  /** Answer the service directly (e.g. Slack's url_verification handshake). */
  | { kind: 'respond'; status: number; body: unknown }
  /** Verified but nothing to do (another label, a bot's own comment ...). */
  | { kind: 'ignore'; reason: string }
  | { kind: 'events'; events: TriggerEvent[] };

/** Thrown by `handleRequest` when the request is not authentic (missing, wrong or expired signature). */
export class SignatureError extends Error {
  override readonly name = 'SignatureError';
}

export interface RunReport {
  runId: string;
  state: string;
  /** The run's page in Ambit. */
  link: string;
  title: string;
  statusMessage?: string;
  /** The agent's final answer, on a terminal state. */
  finalAnswer?: string;
  /** Pull requests the run opened. */
  pullRequests: { url: string; branch?: string }[];
  /** run_triggers.target as stored (with anything a previous report added, e.g. the comment id). */
  target: Record<string, unknown>;
}

export interface RegisterResult {
  /** The service's id of the registered webhook (stored to unregister it on delete). */
  remoteHookId?: string;
  /** Instructions when the service has no registration API (Slack: manifest and URLs to paste). */
  instructions?: string;
}

export interface SecretRole {
  role: string;
  required: boolean;
  description: string;
}

export interface IntegrationAdapter {
  type: IntegrationType;
  /** The source recorded on runs this integration starts. */
  source: RunSource;
  /** The adapter's settings in `config` (without the run defaults); validated on create and update. */
  configSchema: z.ZodType<Record<string, unknown>>;
  /** The secrets it reads, by role. */
  secretRoles: readonly SecretRole[];
  /** Checks that settings and secrets go together (e.g. a token or GitHub App credentials); the problem, if any. */
  checkSecrets?(config: Record<string, unknown>, secretRefs: Record<string, string>): string | undefined;
  /** Verifies the request (throws SignatureError) and turns it into events, a direct answer, or nothing. */
  handleRequest(ctx: IntegrationContext, req: InboundRequest): Promise<InboundResult>;
  /**
   * Reports a run's state back to the service. Returns the target to store when it changed (e.g. the id of the
   * comment it created, so later reports edit that comment instead of posting another).
   */
  reportRun?(ctx: IntegrationContext, report: RunReport): Promise<Record<string, unknown> | void>;
  /** Registers the webhook with the service (on create). */
  register?(ctx: IntegrationContext): Promise<RegisterResult>;
  /** Removes the registered webhook (on delete). */
  unregister?(ctx: IntegrationContext): Promise<void>;
}

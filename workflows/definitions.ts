/**
 * Messages of the run workflow, defined once: imported by the workflow and by the services that send them.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalPolicy } from '../src/domain/approvals';
import type { RunState } from '../src/domain/run-state';

/** The workflow type name the services start. */
export const AGENT_RUN_WORKFLOW_TYPE = 'agentRunWorkflow';

export interface RunPlan {
  modelId: string;
  /** 'ambit' runs the built-in agent loop (Oz configs map to it); others run an external agent CLI in the environment. */
  harness: 'ambit' | 'claude' | 'codex' | 'gemini';
  maxTurns: number;
  runTimeoutMs: number;
  /** Task queue of the host whose workers provision the environment and execute tool calls. */
  hostTaskQueue: string;
  /** First turn number of this execution (turns are numbered across executions and continue-as-new). */
  startTurn: number;
  /** Tool calls that wait for a human's approval (config.approvals); absent: none do. */
  approvals?: ApprovalPolicy;
}

export interface EnvironmentRef {
  provider: string;
  id: string;
}

export interface AgentRunContinuation {
  plan: RunPlan;
  environment: EnvironmentRef;
  nextTurn: number;
  /** Epoch milliseconds at which the run times out. */
  deadline: number;
  /** Follow-ups accepted but not yet written to the transcript. */
  pendingFollowups?: FollowupInput[];
}

export interface AgentRunWorkflowInput {
  runId: string;
  /** Execution number of this run id (a follow-up to an ended run starts the next one). Defaults to 1. */
  execution?: number;
  /** Present when the workflow continued as new; the run's state lives in the database. */
  continuation?: AgentRunContinuation;
}

export interface AgentRunResult {
  state: RunState;
  turns: number;
  errorCode?: string;
}

export interface RunStatusSnapshot {
  state: RunState;
  turn: number;
  phase: 'starting' | 'provisioning' | 'agent' | 'outputs' | 'cleanup' | 'done';
  /** The tool call waiting for a human's decision while the run is BLOCKED. */
  pendingApproval?: PendingApproval;
  /** Set while the run waits for instructions after an interrupt. */
  interrupted?: { by: string; at: string };
}

export interface PendingApproval {
  /** The tool call's id: approvals name the action they decide. */
  actionId: string;
  name: string;
  reason: string;
}

export const getRunStatusQuery = defineQuery<RunStatusSnapshot>('getRunStatus');

export interface FollowupInput {
  /** Id of the follow-up (chosen by the service), so a retried update or activity records it once. */
  id: string;
  message: string;
  mode?: 'normal' | 'plan' | 'orchestrate';
}

export interface FollowupAccepted {
  accepted: true;
  /** The turn at which the agent will see the message. */
  turn: number;
}

/** Delivers a message to the running agent; acknowledged once queued, seen at the agent's next step. */
export const sendFollowupUpdate = defineUpdate<FollowupAccepted, [FollowupInput]>('sendFollowup');

export interface ApprovalDecisionInput {
  /** The pending action to decide; absent means the one pending action. */
  actionId?: string;
  decision: 'approve' | 'deny';
  /** Who decided: a user id, or 'team-key' for a key without a user. */
  by: string;
  comment?: string;
}

export interface ApprovalDecided {
  actionId: string;
  decision: 'approve' | 'deny';
}

/**
 * Approves or denies the tool call a BLOCKED run waits on. The validator rejects with a message starting
 * `NoPendingApproval:` or `ApprovalNotPending:` when there is nothing (or not that action) to decide.
 */
export const decideApprovalUpdate = defineUpdate<ApprovalDecided, [ApprovalDecisionInput]>('decideApproval');

export interface InterruptInput {
  /** Who interrupted: a user id, or 'team-key' for a key without a user. */
  by: string;
}

export interface InterruptAccepted {
  /** The turn whose step is stopped; the run then waits BLOCKED until a follow-up arrives. */
  turn: number;
}

/**
 * Stops the agent's current step (model call, tool call or approval wait) and makes the run wait for
 * instructions; the next follow-up resumes it. The validator rejects with a message starting `NotInterruptible:`
 * when there is no step to stop (not in the agent loop, another harness, already waiting, or a run started before
 * interrupts existed).
 */
export const interruptRunUpdate = defineUpdate<InterruptAccepted, [InterruptInput]>('interruptRun');

/** The workflow type host workers report to (`workflows/host-registry.ts`). */
export const HOST_REGISTRY_WORKFLOW_TYPE = 'hostRegistryWorkflow';

/** What a host worker process reports about itself. Several processes may serve one host id. */
export interface HostWorkerReport {
  /** This worker process (host name, pid and a random part): reports of one process replace each other. */
  workerId: string;
  hostId: string;
  /** Runs this process executes at once (AMBIT_HOST_MAX_RUNS). */
  capacity: number;
  /** The runs that hold one of its slots. */
  runIds: string[];
  /** ISO time of the report, by the worker's clock. */
  reportedAt: string;
  /** The worker is shutting down: listed offline right away. */
  stopping?: boolean;
}

export interface HostWorkerState {
  workerId: string;
  hostId: string;
  capacity: number;
  runIds: string[];
  lastSeen: string;
  stopped: boolean;
}

export const reportHostSignal = defineSignal<[HostWorkerReport]>('reportHost');
export const listHostWorkersQuery = defineQuery<HostWorkerState[]>('listHostWorkers');

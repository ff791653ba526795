/** Timeouts and retry policies of every activity the run workflow schedules, named by what they do. */
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/workflow';
import { FailureType } from '../src/domain/errors';

const USER_SIDE = [
  FailureType.InvalidConfig,
  FailureType.ModelRequestRejected,
  FailureType.EnvironmentSetupFailed,
  FailureType.HarnessFailed,
  FailureType.RunNotFound,
];

/** Database writes of the record: short, retried patiently through a database restart. */
export const RECORD: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '500ms',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts: 30,
    nonRetryableErrorTypes: USER_SIDE,
  },
};

export const RESOLVE_CONFIG: ActivityOptions = {
  startToCloseTimeout: '2m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts: 10,
    nonRetryableErrorTypes: USER_SIDE,
  },
};

/**
 * One model call. Provider 429/5xx and network errors are retried here with backoff (the SDK's own retries are
 * off, so every attempt is visible in history); 4xx rejections are non-retryable. The heartbeat timeout lets a
 * new worker take over quickly after a crash.
 */
export const MODEL_CALL: ActivityOptions = {
  startToCloseTimeout: '10m',
  heartbeatTimeout: '20s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '60s',
    maximumAttempts: 8,
    nonRetryableErrorTypes: USER_SIDE,
  },
};

/** One tool call inside the run's environment, on the host's task queue. */
export const TOOL_CALL: ActivityOptions = {
  startToCloseTimeout: '30m',
  heartbeatTimeout: '20s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts: 5,
    nonRetryableErrorTypes: USER_SIDE,
  },
};

export const PROVISION: ActivityOptions = {
  startToCloseTimeout: '30m',
  heartbeatTimeout: '30s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '60s',
    maximumAttempts: 5,
    nonRetryableErrorTypes: USER_SIDE,
  },
};

/** An external agent CLI (Claude Code, Codex, Gemini) running for the whole run. */
export const HARNESS: ActivityOptions = {
  startToCloseTimeout: '24h',
  heartbeatTimeout: '30s',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '60s',
    maximumAttempts: 3,
    nonRetryableErrorTypes: USER_SIDE,
  },
};

export const CLEANUP: ActivityOptions = {
  startToCloseTimeout: '5m',
  heartbeatTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: 20 },
};

/**
 * A run's first activity on its host (`acceptRun`). No schedule-to-start limit: with no live worker on the host the
 * task waits on the host's queue, and a full host refuses (`HostAtCapacity`), retried every few seconds without an
 * attempt limit, so the run stays QUEUED until a slot frees up. A cancellation waits for an accept in flight, so a
 * slot the host just gave is handed back by the cleanup.
 */
export const ACCEPT_RUN: ActivityOptions = {
  startToCloseTimeout: '1m',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 1.5,
    maximumInterval: '5s',
    nonRetryableErrorTypes: USER_SIDE,
  },
};

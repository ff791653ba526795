/**
 * Failure types thrown by activities (`ApplicationFailure.nonRetryable(message, type)`) and branched on by
 * workflows, and the error codes a run's `status_message.error_code` carries. Pure.
 */
export const FailureType = {
  /** The run's configuration is invalid (unknown model, bad MCP server, missing credential). User-side. */
  InvalidConfig: 'InvalidConfig',
  /** The model provider rejected the request (4xx other than 408/429). User-side. */
  ModelRequestRejected: 'ModelRequestRejected',
  /** Setting up the environment failed (a setup command, a clone). User-side. */
  EnvironmentSetupFailed: 'EnvironmentSetupFailed',
  /** The external harness CLI exited non-zero. */
  HarnessFailed: 'HarnessFailed',
  /** The model provider is overloaded, rate-limiting or unreachable: retried, after its Retry-After. */
  ModelProviderUnavailable: 'ModelProviderUnavailable',
  /** The record the activity needs is gone (run deleted). */
  RunNotFound: 'RunNotFound',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** `status_message.error_code` values. */
export const RunErrorCode = {
  InvalidConfig: 'invalid_config',
  UnknownModel: 'unknown_model',
  ModelRequestRejected: 'model_request_rejected',
  EnvironmentSetupFailed: 'environment_setup_failed',
  HarnessFailed: 'harness_failed',
  MaxTurnsExceeded: 'max_turns_exceeded',
  RunTimeout: 'run_timeout',
  InternalError: 'internal_error',
  Cancelled: 'cancelled',
} as const;
export type RunErrorCode = (typeof RunErrorCode)[keyof typeof RunErrorCode];

export {
  AmbitClient,
  AmbitClientOptionsSchema,
  CLIENT_VERSION,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  ModelsResource,
  RunsResource,
  type AmbitClientOptions,
} from './client';
export {
  AmbitAPIError,
  AmbitInvalidRequestError,
  AmbitResponseValidationError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  ProblemSchema,
  RateLimitError,
  UnprocessableEntityError,
  problemCode,
  type Problem,
} from './errors';
export {
  EnvironmentsResource,
  ListCloudEnvironmentsParamsSchema,
  ListEnvironmentsParamsSchema,
  type ListCloudEnvironmentsParams,
  type ListEnvironmentsParams,
} from './environments';
export { HostsResource } from './hosts';
export * from './api-keys';
export * from './audit';
export * from './members';
export { type FetchLike, type RequestOptions } from './http';
export { SchedulesResource } from './schedules';
export { IntegrationsResource } from './integrations';
export { SecretsResource, type DeleteSecretResponse } from './secrets';
export { encodeListRunsQuery, ListRunsParamsSchema, type ListRunsParams } from './query';
export { INITIAL_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS, retryDelayMs, shouldRetryResponse } from './retry';
export * from './schemas';
export {
  AgentResource,
  AgentConnectionSchema,
  type AgentConnection,
  McpServersResource,
  PromptsResource,
  RulesResource,
  TeamResource,
  VarSetsResource,
  type ListConfigObjectsParams,
} from './config-objects';

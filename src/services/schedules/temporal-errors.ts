/** Turns a failed call to Temporal's schedule API into the API's error: a refused spec is the caller's 400. */
import { AppError } from '../app-error';

const GRPC_INVALID_ARGUMENT = 3;

function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

export function scheduleServiceError(err: unknown, verb: string): AppError {
  if (grpcCode(err) === GRPC_INVALID_ARGUMENT) {
    const message = err instanceof Error ? err.message : String(err);
    return new AppError('invalid_request', `cron_schedule, time_zone: the scheduler refused them: ${message}`, {
      cause: err,
    });
  }
  return new AppError('resource_unavailable', `the workflow service could not ${verb} the schedule; retry shortly`, {
    status: 503,
    headers: { 'Retry-After': '1' },
    cause: err,
  });
}

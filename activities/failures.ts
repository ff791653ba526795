import { ApplicationFailure } from '@temporalio/activity';
import type { FailureType, RunErrorCode } from '../src/domain/errors';

/** A permanent, user-side failure: the workflow ends the run FAILED with this code and message. */
export function userFailure(type: FailureType, errorCode: RunErrorCode, message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true, details: [{ errorCode }] });
}

/**
 * The one place errors become responses: RFC 7807 problems (`application/problem+json`) with the contract's
 * extension members. AppErrors carry their code; body-parser and zod failures become invalid_request; anything else
 * is a generic 500 whose cause goes only to the log.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { Problem } from '../../domain';
import { redactKnownSecrets } from '../../secrets/known-values';
import { AppError } from '../../services/app-error';
import { describeZodError } from '../validation';
import { requestIdOf } from './request-context';

/** The problem `type` URI; its last segment is the error code, which is what clients branch on. */
export const ERROR_TYPE_BASE = 'https://ambit.dev/errors/';

interface BodyParserError {
  type: string;
  status: number;
  message: string;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return (
    err instanceof Error &&
    typeof (err as Partial<BodyParserError>).type === 'string' &&
    typeof (err as Partial<BodyParserError>).status === 'number'
  );
}

function fromBodyParser(err: BodyParserError): AppError {
  switch (err.type) {
    case 'entity.parse.failed':
      // V8 quotes part of the body in the message; the body may hold a secret value, so drop the quote.
      return new AppError(
        'invalid_request',
        `body: malformed JSON (${err.message.replace(/, ".*" is not valid JSON$/s, ' is not valid JSON')})`,
      );
    case 'entity.too.large':
      return new AppError('invalid_request', 'body: too large; attachments are limited in size', { status: 413 });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('invalid_request', `body: ${err.message}; send UTF-8 JSON`, { status: 415 });
    default:
      return new AppError('invalid_request', `body: ${err.message}`);
  }
}

export function toProblem(err: AppError, instance: string, traceId: string | undefined): Problem {
  return {
    type: `${ERROR_TYPE_BASE}${err.code}`,
    title: err.title,
    status: err.status,
    detail: redactKnownSecrets(err.detail),
    instance,
    error: `${err.title} (${redactKnownSecrets(err.detail)})`,
    retryable: err.retryable,
    ...(traceId ? { trace_id: traceId } : {}),
  };
}

export function notFoundHandler(): RequestHandler {
  return (req) => {
    throw new AppError('resource_not_found', `no route ${req.method} ${req.path}; see /api/v1/openapi.json`);
  };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const traceId = requestIdOf(res);
    let appError: AppError;
    if (err instanceof AppError) appError = err;
    else if (err instanceof ZodError) appError = new AppError('invalid_request', describeZodError(err));
    else if (isBodyParserError(err) && err.status < 500) appError = fromBodyParser(err);
    else {
      logger.error({ err, requestId: traceId, method: req.method, path: req.path }, 'unhandled error');
      appError = new AppError(
        'internal_error',
        'an unexpected error occurred; retry, and report the trace_id if it persists',
      );
    }
    if (appError.status >= 500 && err instanceof AppError) {
      logger.warn({ err, requestId: traceId, code: appError.code }, 'request failed');
    }
    res
      .status(appError.status)
      .set(appError.headers)
      .type('application/problem+json')
      .send(JSON.stringify(toProblem(appError, req.originalUrl.split('?')[0] ?? req.path, traceId)));
  };
}

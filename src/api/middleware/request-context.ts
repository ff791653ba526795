import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Principal } from '../../db/api-keys';
import { AppError } from '../../services/app-error';

/** Per-request values set by middleware, kept on `res.locals` under typed accessors. */
interface RequestLocals {
  requestId?: string;
  principal?: Principal;
}

function locals(res: Response): RequestLocals {
  return res.locals as RequestLocals;
}

export function requestIdOf(res: Response): string | undefined {
  return locals(res).requestId;
}

export function setPrincipal(res: Response, principal: Principal): void {
  locals(res).principal = principal;
}

/** The authenticated principal; routes behind `authenticate` always have one. */
export function principalOf(res: Response): Principal {
  const p = locals(res).principal;
  if (!p) throw new AppError('authentication_required', 'send Authorization: Bearer <API key>');
  return p;
}

const INCOMING_ID = /^[a-zA-Z0-9._-]{8,128}$/;

/** Tags each request with an id (the caller's X-Request-Id when sane), echoed back and used as the trace id. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    locals(res).requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          requestId,
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  };
}

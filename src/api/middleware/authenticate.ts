import type { RequestHandler } from 'express';
import { findPrincipalByApiKey } from '../../db/api-keys';
import type { Db } from '../../db/client';
import { AppError } from '../../services/app-error';
import { CSRF_HEADER, passesCsrfCheck, sessionKeyOf } from './auth-session-cookie';
import { setPrincipal } from './request-context';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

/**
 * `Authorization: Bearer <key>`, or the web UI's session cookie when no header is sent (state-changing requests
 * with the cookie must also carry `X-Ambit-CSRF: 1`). A missing, malformed, unknown, revoked or expired key
 * answers 401.
 */
export function authenticate(db: Db): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    let key: string;
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1]) {
        throw new AppError('authentication_required', 'the Authorization header must be "Bearer <API key>"', {
          headers: CHALLENGE,
        });
      }
      key = match[1];
    } else {
      const cookieKey = sessionKeyOf(req);
      if (!cookieKey) {
        throw new AppError('authentication_required', 'send the header Authorization: Bearer <API key>', {
          headers: CHALLENGE,
        });
      }
      if (!passesCsrfCheck(req)) {
        throw new AppError(
          'not_authorized',
          `a request authenticated by the session cookie that changes state must send the header ${CSRF_HEADER}: 1`,
        );
      }
      key = cookieKey;
    }
    const principal = await findPrincipalByApiKey(db, key);
    if (!principal) {
      throw new AppError('authentication_required', 'the API key is unknown, revoked or expired', {
        headers: CHALLENGE,
      });
    }
    setPrincipal(res, principal);
    next();
  };
}

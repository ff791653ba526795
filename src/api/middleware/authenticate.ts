import type { RequestHandler } from 'express';
import { findPrincipalByApiKey } from '../../db/api-keys';
import type { Db } from '../../db/client';
import { AppError } from '../../services/app-error';
import { setPrincipal } from './request-context';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };

/** `Authorization: Bearer <key>`: a missing, malformed, unknown, revoked or expired key answers 401. */
export function authenticate(db: Db): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    if (!header) {
      throw new AppError('authentication_required', 'send the header Authorization: Bearer <API key>', {
        headers: CHALLENGE,
      });
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new AppError('authentication_required', 'the Authorization header must be "Bearer <API key>"', {
        headers: CHALLENGE,
      });
    }
    const principal = await findPrincipalByApiKey(db, match[1]);
    if (!principal) {
      throw new AppError('authentication_required', 'the API key is unknown, revoked or expired', {
        headers: CHALLENGE,
      });
    }
    setPrincipal(res, principal);
    next();
  };
}

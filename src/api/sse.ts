import type { Request, Response } from 'express';
import { z } from 'zod';
import { parseOrThrow } from './validation';

const LastEventIdSchema = z
  .string()
  .regex(/^\d{1,19}$/, 'Last-Event-ID is the numeric id of the last event received')
  .transform((v) => BigInt(v))
  .optional();

/** The id a reconnecting client has (SSE `Last-Event-ID` header, or `?last_event_id=` where headers can't be set). */
export function lastEventIdOf(req: Request): bigint | undefined {
  return parseOrThrow(
    LastEventIdSchema,
    req.get('last-event-id') ?? req.query['last_event_id'],
    'header Last-Event-ID',
  );
}

/**
 * A Server-Sent Events response. Headers go out with the first write, so an error before it (an unknown run) is
 * still an ordinary problem response. `signal` fires when the client goes away.
 */
export function eventStream(req: Request, res: Response) {
  const abort = new AbortController();
  req.on('close', () => abort.abort());
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
  };
  return {
    signal: abort.signal,
    get started() {
      return started;
    },
    start,
    send(event: { id: string; type: string }) {
      start();
      res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    },
    heartbeat() {
      start();
      res.write(': heartbeat\n\n');
    },
    end(final?: string) {
      start();
      if (final) res.write(`event: ${final}\ndata: {}\n\n`);
      res.end();
    },
  };
}

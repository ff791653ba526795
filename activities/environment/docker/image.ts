import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { EnvironmentSetupError, type EnvironmentSpec } from '../provider';
import { isNotFound, statusCodeOf } from './names';

interface PullEvent {
  id?: string;
  status?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Registry answers that retrying will not change: the image or tag does not exist, or we may not read it. */
const PERMANENT_PULL_ERROR =
  /not found|manifest unknown|unauthorized|authentication required|denied|no basic auth credentials|invalid reference/i;

function pullFailure(image: string, message: string, statusCode?: number): Error {
  if (statusCode === 404 || statusCode === 401 || statusCode === 403 || PERMANENT_PULL_ERROR.test(message)) {
    return new EnvironmentSetupError(`docker pull ${image}`, null, message, 'the image could not be pulled');
  }
  return new Error(`pulling ${image} failed: ${message}`);
}

/**
 * Makes the image available locally: nothing to do when present, else a pull whose progress is reported one line
 * per layer and status change (not per downloaded chunk, which would flood the run's events).
 */
export async function ensureImage(
  docker: Docker,
  image: string,
  options: {
    auth?: EnvironmentSpec['registryAuth'];
    onProgress?: (message: string) => void;
    signal?: AbortSignal;
  },
): Promise<'present' | 'pulled'> {
  try {
    await docker.getImage(image).inspect();
    return 'present';
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  options.onProgress?.(`pulling image ${image}`);
  let stream: Readable;
  try {
    stream = (await docker.pull(image, options.auth ? { authconfig: options.auth } : {})) as Readable;
  } catch (err) {
    throw pullFailure(image, (err as Error).message, statusCodeOf(err));
  }
  const onAbort = () => stream.destroy(new Error(`pulling ${image} was cancelled`));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const lastStatus = new Map<string, string>();
  let failure: string | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: PullEvent) => {
          if (event.error !== undefined || event.errorDetail?.message !== undefined) {
            failure = event.errorDetail?.message ?? event.error;
            return;
          }
          if (!event.status) return;
          const key = event.id ?? '';
          if (lastStatus.get(key) === event.status) return;
          lastStatus.set(key, event.status);
          options.onProgress?.(event.id ? `${event.id}: ${event.status}` : event.status);
        },
      );
    });
  } catch (err) {
    options.signal?.throwIfAborted();
    throw pullFailure(image, (err as Error).message);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  // A registry error arrives as a message in the progress stream, not as an HTTP status.
  if (failure !== undefined) throw pullFailure(image, failure);
  await docker.getImage(image).inspect();
  options.onProgress?.(`pulled image ${image}`);
  return 'pulled';
}

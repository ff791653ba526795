import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../src/logger';

const LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

let installed = false;

/** Routes the Temporal SDK's own logs through pino at the configured level. Once per process. */
export function installTemporalRuntime(logger: Logger, level: string): void {
  if (installed) return;
  installed = true;
  const temporalLevel = LEVELS[level] ?? 'INFO';
  // The SDK logs worker state changes at INFO; they are noise at the platform's default level.
  const sdkLevel: LogLevel = temporalLevel === 'INFO' ? 'WARN' : temporalLevel;
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, (entry) => {
      // Host workers serve activities only, by design.
      if (entry.message === 'No workflows registered, not polling for workflow tasks') return;
      const meta = { ...entry.meta, sdk: 'temporal' };
      const msg = entry.message;
      if (entry.level === 'ERROR') logger.error(meta, msg);
      else if (entry.level === 'WARN') logger.warn(meta, msg);
      else if (entry.level === 'INFO') logger.info(meta, msg);
      else logger.debug(meta, msg);
    }),
  });
}

import pino, { type Logger } from 'pino';
import type { AppConfig } from './config';

export type { Logger } from 'pino';

export function createLogger(config: Pick<AppConfig, 'logLevel'>, name = 'ambit'): Logger {
  return pino({ name, level: config.logLevel });
}

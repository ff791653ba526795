import pino, { type Logger } from 'pino';
import type { AppConfig } from './config';
import { redactKnownSecrets } from './secrets/known-values';

export type { Logger } from 'pino';

/** Every line is redacted of the secret values this process has handled before it is written (see src/secrets). */
export function createLogger(
  config: Pick<AppConfig, 'logLevel'>,
  name = 'ambit',
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = { name, level: config.logLevel, hooks: { streamWrite: redactKnownSecrets } };
  return destination ? pino(options, destination) : pino(options);
}

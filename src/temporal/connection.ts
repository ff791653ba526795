import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { AppConfig } from '../config';
import { temporalDataConverter } from '../secrets/payload-codec';

/**
 * Connection options for Temporal: the team's own cluster through @temporalio/envconfig's reading of the standard
 * TEMPORAL_* variables and profiles, or the local dev server the launcher started.
 */
export function temporalConnectionOptions(config: AppConfig): NativeConnectionOptions {
  if (config.temporal.connect) return config.temporal.connect.connectionOptions;
  return { address: `127.0.0.1:${config.temporal.localPort}` };
}

export async function connectTemporalClient(config: AppConfig): Promise<{ client: Client; connection: Connection }> {
  const options = temporalConnectionOptions(config);
  const connection = await Connection.connect({
    address: options.address,
    tls: options.tls,
    apiKey: options.apiKey,
    metadata: options.metadata,
  });
  // Payload encryption (AMBIT_TEMPORAL_PAYLOAD_KEY) when configured: the same codec as the workers.
  const dataConverter = temporalDataConverter(config);
  return { client: new Client({ connection, namespace: config.temporal.namespace, dataConverter }), connection };
}

export function connectTemporalWorker(config: AppConfig): Promise<NativeConnection> {
  return NativeConnection.connect(temporalConnectionOptions(config));
}

/** Waits until the Temporal frontend answers for the namespace (a fresh dev server takes a moment). */
export async function waitForTemporal(config: AppConfig, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const { connection } = await connectTemporalClient(config);
      try {
        await connection.workflowService.describeNamespace({ namespace: config.temporal.namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(
    `Temporal at ${temporalConnectionOptions(config).address} (namespace ${config.temporal.namespace}) is not reachable: ` +
      `${(lastError as Error | undefined)?.message ?? 'timed out'}. Check TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE.`,
  );
}

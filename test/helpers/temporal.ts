import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

/** The suite's shared Temporal dev server (started by global-setup). */
export function temporalAddress(): string {
  const address = process.env['AMBIT_TEST_TEMPORAL_ADDRESS'];
  if (!address) throw new Error('AMBIT_TEST_TEMPORAL_ADDRESS missing: run the suite through jest (global-setup).');
  return address;
}

export async function connectClient(): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: temporalAddress() });
  return { client: new Client({ connection, namespace: 'default' }), connection };
}

export async function connectWorker(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: temporalAddress() });
}

/** A task queue prefix unique to one test, so tests never steal each other's tasks. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

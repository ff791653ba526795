/**
 * An inbound delivery to `/api/v1/hooks/{id}`: the integration's adapter verifies and parses it, intake turns its
 * events into runs exactly once, and the integration's status (last event, last error) is kept current.
 */
import { adapterFor } from '../../integrations';
import { SignatureError, type InboundRequest } from '../../integrations/types';
import { AppError } from '../app-error';
import type { ServiceDeps } from '../deps';
import { integrationContext, toIntegrationRecord } from '../integrations/integration-context';
import { intakeEvent, type IntakeResult } from './intake';

export interface DeliveryResponse {
  status: number;
  body: unknown;
}

function errorText(err: unknown): string {
  return (err instanceof AppError ? err.detail : err instanceof Error ? err.message : String(err)).slice(0, 1000);
}

export async function receiveDelivery(
  deps: ServiceDeps,
  input: { integrationId: string; request: InboundRequest },
): Promise<DeliveryResponse> {
  const { db, logger } = deps;
  const row = await db.integration.findUnique({ where: { id: input.integrationId } });
  // Unknown and disabled integrations look the same from outside: nothing is listening here.
  if (!row || !row.enabled) {
    throw new AppError('resource_not_found', `no enabled integration ${JSON.stringify(input.integrationId)}`);
  }
  const integration = toIntegrationRecord(row);
  const adapter = adapterFor(integration.type);
  const ctx = integrationContext(deps, integration);
  const markError = (message: string) =>
    db.integration
      .update({ where: { id: integration.id }, data: { lastError: message, lastErrorAt: new Date() } })
      .catch((err: unknown) => logger.warn({ err, integrationId: integration.id }, 'recording the last error failed'));

  let inbound;
  try {
    inbound = await adapter.handleRequest(ctx, input.request);
  } catch (err) {
    if (err instanceof SignatureError) {
      await markError(`rejected a delivery: ${err.message}`);
      throw new AppError('authentication_required', err.message);
    }
    await markError(errorText(err));
    throw err;
  }
  if (inbound.kind === 'respond') return { status: inbound.status, body: inbound.body };

  await db.integration.update({ where: { id: integration.id }, data: { lastEventAt: new Date() } });
  if (inbound.kind === 'ignore') return { status: 202, body: { ignored: inbound.reason, runs: [] } };

  const runs: IntakeResult[] = [];
  for (const event of inbound.events) {
    try {
      runs.push(await intakeEvent(deps, { integration, adapter, event }));
    } catch (err) {
      await markError(`event ${event.deliveryId}: ${errorText(err)}`);
      throw err;
    }
  }
  return { status: 202, body: { runs } };
}

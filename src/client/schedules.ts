import { z } from 'zod';
import {
  BackfillScheduleResponseSchema,
  DeleteScheduleResponseSchema,
  ListSchedulesResponseSchema,
  ScheduledAgentItemSchema,
  type BackfillScheduleRequest,
  type CreateScheduleRequest,
  type ListSchedulesResponse,
  type ReplaceScheduleRequest,
  type ScheduledAgentItem,
} from '../domain';
import { AmbitInvalidRequestError } from './errors';
import type { RequestOptions, Transport } from './http';

function schedulePath(id: string, suffix = ''): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new AmbitInvalidRequestError(
      'schedule id',
      new z.ZodError([{ code: 'custom', path: ['id'], message: 'a schedule id is required', input: id }]),
    );
  }
  return `/agent/schedules/${encodeURIComponent(id)}${suffix}`;
}

/** Scheduled agents (`/agent/schedules`): each fires on a Temporal Schedule and starts a run per firing. */
export class SchedulesResource {
  constructor(private readonly transport: Transport) {}

  /** Not retried by default: a lost response followed by a retry would make a second schedule. */
  async create(request: CreateScheduleRequest, options?: RequestOptions): Promise<ScheduledAgentItem> {
    return await this.transport.request(
      { method: 'POST', path: '/agent/schedules', body: request },
      ScheduledAgentItemSchema,
      { maxRetries: 0, ...options },
    );
  }

  async list(options?: RequestOptions): Promise<ListSchedulesResponse> {
    return await this.transport.request(
      { method: 'GET', path: '/agent/schedules' },
      ListSchedulesResponseSchema,
      options,
    );
  }

  async get(id: string, options?: RequestOptions): Promise<ScheduledAgentItem> {
    return await this.transport.request({ method: 'GET', path: schedulePath(id) }, ScheduledAgentItemSchema, options);
  }

  /** PUT: a full replace (name, cron_schedule and enabled required; optional fields left out return to defaults). */
  async replace(id: string, request: ReplaceScheduleRequest, options?: RequestOptions): Promise<ScheduledAgentItem> {
    return await this.transport.request(
      { method: 'PUT', path: schedulePath(id), body: request },
      ScheduledAgentItemSchema,
      options,
    );
  }

  async delete(id: string, options?: RequestOptions): Promise<{ success: boolean }> {
    return await this.transport.request(
      { method: 'DELETE', path: schedulePath(id) },
      DeleteScheduleResponseSchema,
      options,
    );
  }

  async pause(id: string, options?: RequestOptions): Promise<ScheduledAgentItem> {
    return await this.transport.request(
      { method: 'POST', path: schedulePath(id, '/pause') },
      ScheduledAgentItemSchema,
      options,
    );
  }

  async resume(id: string, options?: RequestOptions): Promise<ScheduledAgentItem> {
    return await this.transport.request(
      { method: 'POST', path: schedulePath(id, '/resume') },
      ScheduledAgentItemSchema,
      options,
    );
  }

  /** Fires once now, under the schedule's overlap policy. Not retried: a retry could fire twice. */
  async trigger(id: string, options?: RequestOptions): Promise<{ success: boolean }> {
    return await this.transport.request(
      { method: 'POST', path: schedulePath(id, '/trigger') },
      DeleteScheduleResponseSchema,
      { maxRetries: 0, ...options },
    );
  }

  /** Takes every firing in [start_time, end_time) now; repeating it makes no second run of a firing. */
  async backfill(
    id: string,
    request: BackfillScheduleRequest,
    options?: RequestOptions,
  ): Promise<z.infer<typeof BackfillScheduleResponseSchema>> {
    return await this.transport.request(
      { method: 'POST', path: schedulePath(id, '/backfill'), body: request },
      BackfillScheduleResponseSchema,
      options,
    );
  }
}

/** Execution hosts as `GET /hosts` lists them. */
import { z } from 'zod';

export const HostItemSchema = z.object({
  id: z.string().meta({ description: 'Host id: what runs select with config.worker_host', example: 'build-box-1' }),
  live: z.boolean().meta({ description: 'A worker of this host reported recently and has not stopped' }),
  capacity: z.number().int().meta({ description: 'Runs the live workers of this host execute at once' }),
  running_runs: z.number().int().meta({ description: 'Runs holding one of its slots' }),
  run_ids: z
    .array(z.string())
    .meta({ description: 'Those of the running runs this key may see (runs of other teams are only counted)' }),
  at_capacity: z.boolean().meta({ description: 'Every slot is taken: new runs for this host wait QUEUED' }),
  last_seen: z.iso.datetime().meta({ description: 'When a worker of this host last reported' }),
  workers: z.number().int().meta({ description: 'Live worker processes serving this host' }),
});
export type HostItem = z.infer<typeof HostItemSchema>;

export const ListHostsResponseSchema = z.object({ hosts: z.array(HostItemSchema) });
export type ListHostsResponse = z.infer<typeof ListHostsResponseSchema>;

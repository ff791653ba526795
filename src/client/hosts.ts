import { ListHostsResponseSchema, type ListHostsResponse } from '../domain';
import type { RequestOptions, Transport } from './http';

/** Execution hosts: the host workers that report through Temporal. */
export class HostsResource {
  constructor(private readonly transport: Transport) {}

  async list(options?: RequestOptions): Promise<ListHostsResponse> {
    return await this.transport.request({ method: 'GET', path: '/hosts' }, ListHostsResponseSchema, options);
  }
}

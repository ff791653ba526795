/** Host configuration, slots and the registry summary behind GET /hosts: pure parts, no I/O. */
import { boundedLines } from '../../activities/environment-host';
import { HostSlots } from '../../activities/environment/host-slots';
import { ConfigError, loadConfig } from '../../src/config';
import { summarizeHosts } from '../../src/services/hosts';

describe('host configuration', () => {
  test('defaults: capacity from AMBIT_MAX_CONCURRENT_RUNS, no default image, no limits', () => {
    const config = loadConfig({ AMBIT_MAX_CONCURRENT_RUNS: '7' });
    expect(config.host).toEqual({ maxRuns: 7, reportIntervalMs: 15_000, limits: {} });
  });

  test('AMBIT_HOST_* set the default environment, its limits and the capacity', () => {
    const config = loadConfig({
      AMBIT_HOST_MAX_RUNS: '2',
      AMBIT_HOST_DEFAULT_IMAGE: 'node:22-bookworm',
      AMBIT_HOST_CPUS: '1.5',
      AMBIT_HOST_MEMORY_MB: '2048',
      AMBIT_HOST_PIDS: '256',
      AMBIT_HOST_NETWORK: 'none',
      AMBIT_HOST_REPORT_SECONDS: '5',
    });
    expect(config.host).toEqual({
      maxRuns: 2,
      reportIntervalMs: 5000,
      defaultImage: 'node:22-bookworm',
      limits: { cpus: 1.5, memoryMb: 2048, pids: 256 },
      network: 'none',
    });
  });

  test.each([
    ['AMBIT_HOST_DEFAULT_IMAGE', 'Not An Image!', 'AMBIT_HOST_DEFAULT_IMAGE'],
    ['AMBIT_HOST_CPUS', '0', 'must be above 0'],
    ['AMBIT_HOST_MEMORY_MB', '1.5', 'whole number of MiB'],
    ['AMBIT_HOST_MEMORY_MB', '4', 'at least 8'],
    ['AMBIT_HOST_PIDS', 'many', 'whole number of processes'],
    ['AMBIT_HOST_NETWORK', 'host', 'must not be "host"'],
    ['AMBIT_HOST_MAX_RUNS', '0', 'AMBIT_HOST_MAX_RUNS'],
  ])('%s=%s is refused, naming the variable and the fix', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).toContain(message);
  });
});

describe('host slots', () => {
  test('a full host refuses new runs; a run that holds a slot is accepted again; release frees it', () => {
    const slots = new HostSlots('h', 1);
    const changes: string[][] = [];
    slots.onChange(() => changes.push(slots.runIds()));
    expect(slots.tryAccept('run_a')).toBe(true);
    expect(slots.tryAccept('run_b')).toBe(false);
    expect(slots.tryAccept('run_a')).toBe(true);
    slots.release('run_a');
    expect(slots.tryAccept('run_b')).toBe(true);
    expect(changes).toEqual([['run_a'], [], ['run_b']]);
  });

  test('after a restart, an admitted run takes its slot back at its next host activity, even beyond capacity', () => {
    const slots = new HostSlots('h', 1);
    slots.tryAccept('run_new');
    slots.touch('run_old');
    expect(slots.runIds().sort()).toEqual(['run_new', 'run_old']);
    expect(slots.tryAccept('run_third')).toBe(false);
  });
});

describe('what a provisioning step returns', () => {
  test('keeps the last lines within the budget and counts the dropped ones', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i}`);
    const out = boundedLines(lines);
    expect(out.lines.length).toBe(200);
    expect(out.lines.at(-1)).toBe('line 499');
    expect(out.dropped).toBe(300);
    const long = boundedLines(['x'.repeat(10_000)]);
    expect(long.lines[0]!.length).toBeLessThanOrEqual(2001);
  });
});

describe('the hosts summary', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');
  const seen = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();

  test('sums the live workers of a host, unions their runs, and marks a full host', () => {
    const hosts = summarizeHosts(
      [
        { workerId: 'a', hostId: 'edge', capacity: 1, runIds: ['r1'], lastSeen: seen(5), stopped: false },
        { workerId: 'b', hostId: 'edge', capacity: 1, runIds: ['r2'], lastSeen: seen(1), stopped: false },
        { workerId: 'c', hostId: 'gpu', capacity: 4, runIds: ['r3'], lastSeen: seen(2), stopped: false },
      ],
      { now, reportIntervalMs: 15_000 },
    );
    expect(hosts).toEqual([
      {
        id: 'edge',
        live: true,
        capacity: 2,
        running_runs: 2,
        run_ids: ['r1', 'r2'],
        at_capacity: true,
        last_seen: seen(1),
        workers: 2,
      },
      {
        id: 'gpu',
        live: true,
        capacity: 4,
        running_runs: 1,
        run_ids: ['r3'],
        at_capacity: false,
        last_seen: seen(2),
        workers: 1,
      },
    ]);
  });

  test('a host whose workers stopped or missed three reports is offline, with nothing running', () => {
    const hosts = summarizeHosts(
      [
        { workerId: 'a', hostId: 'gone', capacity: 2, runIds: ['r1'], lastSeen: seen(46), stopped: false },
        { workerId: 'b', hostId: 'stopped', capacity: 3, runIds: [], lastSeen: seen(1), stopped: true },
      ],
      { now, reportIntervalMs: 15_000 },
    );
    expect(hosts.map((h) => [h.id, h.live, h.capacity, h.running_runs, h.at_capacity])).toEqual([
      ['gone', false, 2, 0, false],
      ['stopped', false, 3, 0, false],
    ]);
  });
});

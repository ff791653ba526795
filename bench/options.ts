/**
 * The bench's knobs, read from the environment once and validated, so a typo fails before anything starts instead
 * of after minutes of setup.
 */
import { z } from 'zod';

const count = (name: string, fallback: number, max: number) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be at least 1`)
    .max(max, `${name} must be at most ${max}; the bench is meant to finish in minutes`)
    .default(fallback);

export const BenchEnvSchema = z.object({
  /** Samples per latency measurement (creation latency and one-turn run duration), after the warm-up. */
  BENCH_ITERATIONS: count('BENCH_ITERATIONS', 50, 10_000),
  /** Runs completed in the throughput measurement, on each side. */
  BENCH_THROUGHPUT_RUNS: count('BENCH_THROUGHPUT_RUNS', 200, 100_000),
  /** Runs kept in flight during the throughput measurement. */
  BENCH_IN_FLIGHT: count('BENCH_IN_FLIGHT', 50, 1_000),
  /** Samples thrown away before each latency measurement (JIT, connection pools, caches). */
  BENCH_WARMUP: z.coerce
    .number({ error: 'BENCH_WARMUP must be a whole number' })
    .int('BENCH_WARMUP must be a whole number')
    .min(0, 'BENCH_WARMUP must be 0 or more')
    .max(1_000, 'BENCH_WARMUP must be at most 1000')
    .default(3),
  AMBIT_BENCH_DATABASE_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\//,
      'AMBIT_BENCH_DATABASE_URL must be a postgres:// URL of a server where the bench may create a scratch database; unset it for the embedded PGlite',
    )
    .optional(),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  /** Samples of each Docker measurement (raw cycle, cold and warm prepare); each cold one clones and runs setup. */
  BENCH_DOCKER_ITERATIONS: count('BENCH_DOCKER_ITERATIONS', 5, 200),
  /** The engine for the Docker part; without it that part is skipped and the report says so. */
  DOCKER_HOST: z.string().min(1).optional(),
});

export interface BenchOptions {
  iterations: number;
  warmup: number;
  throughputRuns: number;
  inFlight: number;
  /** A PostgreSQL server to create a scratch database on; absent means the embedded PGlite. */
  postgresUrl?: string;
  temporalCliPath?: string;
  dockerIterations: number;
  dockerHost?: string;
}

export class BenchOptionsError extends Error {
  override readonly name = 'BenchOptionsError';
}

export function parseBenchOptions(source: NodeJS.ProcessEnv): BenchOptions {
  const parsed = BenchEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new BenchOptionsError(`Invalid bench settings:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    iterations: e.BENCH_ITERATIONS,
    warmup: e.BENCH_WARMUP,
    throughputRuns: e.BENCH_THROUGHPUT_RUNS,
    inFlight: e.BENCH_IN_FLIGHT,
    postgresUrl: e.AMBIT_BENCH_DATABASE_URL,
    temporalCliPath: e.TEMPORAL_CLI_PATH,
    dockerIterations: e.BENCH_DOCKER_ITERATIONS,
    dockerHost: e.DOCKER_HOST,
  };
}

/**
 * Zod schemas for the CLI's flags. Commander collects raw strings; these parse them and, on failure, raise a
 * `UsageError` whose message names the flag (or environment variable) and how to fix the value.
 */
import { z } from 'zod';
import { RUN_SORT_FIELDS, RUN_SOURCES, RUN_STATES } from '../domain';
import { hasCredentials } from '../client/client';
import { redact } from '../client/http';
import { UsageError } from './errors';

export const OUTPUT_FORMATS = ['pretty', 'text', 'json', 'ndjson'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const DEFAULT_API_URL = 'http://localhost:3000';
export const DEFAULT_TIMEOUT_SECONDS = 60;

/** Where each schema key came from, for messages: `--limit`, `AMBIT_API_URL`, `<prompt>`. */
export type FlagNames<T> = Partial<Record<keyof T & string, string>>;

/** Parses raw flag values, or throws a `UsageError` naming the first bad flag. */
export function parseFlags<S extends z.ZodType>(
  schema: S,
  raw: Record<string, unknown>,
  names: Record<string, string>,
): z.output<S> {
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path[0];
  const flag = typeof key === 'string' ? (names[key] ?? `--${kebab(key)}`) : undefined;
  const secret = typeof key === 'string' && /key|secret|token/i.test(key);
  // The flag as typed when it was one string; the offending element when the flag collects several.
  const typed = typeof key === 'string' ? raw[key] : undefined;
  const value = typeof typed === 'string' ? typed : issue.input;
  const got = typeof value === 'string' && value.length > 0 && !secret ? ` (got "${redact(value)}")` : '';
  throw new UsageError(flag ? `${flag} ${issue.message}${got}` : issue.message);
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const upper = (v: unknown): unknown => (typeof v === 'string' ? v.trim().toUpperCase() : v);
const lower = (v: unknown): unknown => (typeof v === 'string' ? v.trim().toLowerCase() : v);
const text = (what: string, example: string) =>
  z.string().trim().min(1, `needs a value, e.g. ${example}`).describe(what).optional();

export const GlobalFlagsSchema = z.object({
  apiUrl: z
    .url({
      protocol: /^https?$/,
      error: `must be an absolute http(s) URL of the Ambit server, e.g. ${DEFAULT_API_URL}`,
    })
    .refine((u) => !hasCredentials(u), 'must not contain credentials: pass the key with --api-key or AMBIT_API_KEY')
    .transform((u) => u.replace(/\/+$/, '')),
  apiKey: z.string().trim().min(1, 'must not be empty; create a key and pass it here').optional(),
  outputFormat: z.preprocess(
    lower,
    z.enum(OUTPUT_FORMATS, { error: `must be one of ${OUTPUT_FORMATS.join(', ')}, e.g. --output-format json` }),
  ),
  timeout: z.coerce
    .number({ error: 'must be a number of seconds, e.g. --timeout 120' })
    .positive('must be a positive number of seconds, e.g. --timeout 120')
    .max(3600, 'is at most 3600 seconds'),
});
export type GlobalFlags = z.output<typeof GlobalFlagsSchema>;

const MODEL_ID = /^[a-z0-9-]+\/.+$/;

export const RunFlagsSchema = z
  .object({
    prompt: z.string().trim().min(1, 'must not be empty, e.g. ambit run "Fix the failing test in src/auth"'),
    model: z
      .string()
      .trim()
      .regex(MODEL_ID, 'must look like <provider>/<model>, e.g. --model openai/gpt-4o (see `ambit models list`)')
      .optional(),
    environment: text('environment id', '--environment env_123'),
    mcp: z.array(z.string()).default([]),
    name: text('config name', '--name nightly-deps'),
    title: text('title', '--title "Fix auth tests"'),
    team: z.boolean().optional(),
    personal: z.boolean().optional(),
    follow: z.boolean().default(false),
    wait: z.boolean().default(false),
    pollIntervalMs: z.coerce
      .number({ error: 'must be a number of milliseconds' })
      .int()
      .min(50, 'must be at least 50 ms')
      .default(1000),
  })
  .refine((f) => !(f.team && f.personal), {
    message: 'and --personal conflict: give one of them (--team for a team-owned run, --personal for your own)',
    path: ['team'],
  });

const collect = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .flatMap((s) => String(s).split(','))
    .map((s) => s.trim())
    .filter(Boolean);

export const ListFlagsSchema = z.object({
  state: z.preprocess(
    (v) => collect(v).map(upper),
    z.array(z.enum(RUN_STATES, { error: `must be one of ${RUN_STATES.join(', ')}, e.g. --state FAILED` })),
  ),
  source: z
    .preprocess(upper, z.enum(RUN_SOURCES, { error: `must be one of ${RUN_SOURCES.join(', ')}, e.g. --source CLI` }))
    .optional(),
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 500, e.g. --limit 50' })
    .int('must be a whole number from 1 to 500, e.g. --limit 50')
    .min(1, 'must be a whole number from 1 to 500, e.g. --limit 50')
    .max(500, 'must be a whole number from 1 to 500, e.g. --limit 50')
    .default(20),
  query: text('search text', '-q "auth"'),
  name: text('config name', '--name nightly-deps'),
  model: text('model id', '--model openai/gpt-4o'),
  cursor: text('cursor', '--cursor <next_cursor from the previous page>'),
  sortBy: z
    .preprocess(lower, z.enum(RUN_SORT_FIELDS, { error: `must be one of ${RUN_SORT_FIELDS.join(', ')}` }))
    .optional(),
  sortOrder: z.preprocess(lower, z.enum(['asc', 'desc'], { error: 'must be asc or desc' })).optional(),
});

export const RunIdSchema = z.object({
  id: z.string().trim().min(1, 'is required, e.g. ambit runs get run_123 (find ids with `ambit runs list`)'),
});

/** Parsing of untrusted request parts with zod, failing as invalid_request with every bad field named. */
import type { z } from 'zod';
import { AppError } from '../services/app-error';

export type RequestPart = 'body' | 'query' | `header ${string}`;

function message(issue: z.core.$ZodIssue): string {
  // A bad record key reports "Invalid key in record"; the key schema's own message says what a key must look like.
  if (issue.code === 'invalid_key' && issue.issues.length > 0) return issue.issues.map((i) => i.message).join(', ');
  return issue.message;
}

/** "config.model_id: must look like ...; limit: must be ..." with the part's name for whole-value issues. */
export function describeZodError(error: z.ZodError, part: RequestPart = 'body'): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : part}: ${message(issue)}`)
    .join('; ');
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart): z.output<S> {
  if (part === 'body' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new AppError('invalid_request', 'body: send a JSON object with Content-Type: application/json');
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('invalid_request', describeZodError(result.error, part));
  return result.data;
}

/**
 * The query of a route whose parameters are all single-valued: one given twice is an error naming it, not a silent
 * pick (the app's simple query parser turns repeats into arrays). Routes with repeatable filters parse their own.
 */
export function singleValuedQuery(req: { query: unknown }): Record<string, unknown> {
  const query = req.query as Record<string, unknown>;
  const repeated = Object.entries(query).filter(([, v]) => Array.isArray(v));
  if (repeated.length > 0) {
    throw new AppError(
      'invalid_request',
      repeated.map(([k, v]) => `${k}: given ${(v as unknown[]).length} times; send it once`).join('; '),
    );
  }
  return query;
}

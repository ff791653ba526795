/**
 * Normalizes `GET /agent/runs` query strings before zod parses them: `state` may repeat (or be comma-separated),
 * `metadata[key]=value` pairs become one record, and any other parameter given twice is an error rather than a
 * silent pick of one value.
 */
import { ListRunsQuerySchema, MAX_METADATA_FILTERS, type ListRunsQuery } from '../domain';
import { AppError } from '../services/app-error';
import { parseOrThrow } from './validation';

const METADATA_PARAM = /^metadata\[([^\]]+)\]$/;

export function parseListRunsQuery(raw: Record<string, unknown>): ListRunsQuery {
  const normalized: Record<string, unknown> = {};
  const metadata: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (key === 'state') {
      normalized['state'] = values.flatMap((v) => v.split(',')).filter((v) => v !== '');
      continue;
    }
    if (values.length > 1) {
      problems.push(`${key}: given ${values.length} times; send it once`);
      continue;
    }
    const meta = METADATA_PARAM.exec(key);
    if (meta?.[1] !== undefined) metadata[meta[1]] = values[0] ?? '';
    else if (key.startsWith('metadata')) problems.push(`${key}: write metadata filters as metadata[key]=value`);
    else normalized[key] = values[0];
  }
  if (Object.keys(metadata).length > MAX_METADATA_FILTERS) {
    problems.push(`metadata: ${Object.keys(metadata).length} filters given; at most ${MAX_METADATA_FILTERS}`);
  }
  if (problems.length > 0) throw new AppError('invalid_request', problems.join('; '));
  if (Object.keys(metadata).length > 0) normalized['metadata'] = metadata;
  return parseOrThrow(ListRunsQuerySchema, normalized, 'query');
}

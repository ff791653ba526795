/**
 * What `ambit run --ci` adds to a run started from a CI job: the job's context (repository, commit, ref, the CI run's
 * URL) taken from flags or detected from GitHub Actions' variables, as metadata and as a block at the end of the
 * prompt, and the failing job's log as an attachment. Pure except for reading the log file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors';

/** The tail of a log is what explains a failure; the whole request must stay far below the body limit. */
export const MAX_LOG_BYTES = 512 * 1024;
export const MAX_ATTACHMENT_BYTES = 4 * 1024 * 1024;
const METADATA_VALUE_MAX_BYTES = 256;

export interface CiContext {
  provider?: string;
  repository?: string;
  commit?: string;
  ref?: string;
  runUrl?: string;
  workflow?: string;
  job?: string;
}

export interface CiFlags {
  repository?: string;
  commit?: string;
  ref?: string;
  ciUrl?: string;
}

/** Explicit flags win over what GitHub Actions' variables say. */
export function detectCiContext(flags: CiFlags, vars: Record<string, string>): CiContext {
  const github = vars['GITHUB_ACTIONS'] === 'true';
  const server = vars['GITHUB_SERVER_URL'] ?? 'https://github.com';
  const repository = flags.repository ?? vars['GITHUB_REPOSITORY'];
  const runUrl =
    flags.ciUrl ??
    (github && vars['GITHUB_REPOSITORY'] && vars['GITHUB_RUN_ID']
      ? `${server}/${vars['GITHUB_REPOSITORY']}/actions/runs/${vars['GITHUB_RUN_ID']}` +
        (vars['GITHUB_RUN_ATTEMPT'] && vars['GITHUB_RUN_ATTEMPT'] !== '1'
          ? `/attempts/${vars['GITHUB_RUN_ATTEMPT']}`
          : '')
      : undefined);
  const context: CiContext = {
    ...(github ? { provider: 'github-actions' } : vars['CI'] ? { provider: 'ci' } : {}),
    ...(repository ? { repository } : {}),
    ...((flags.commit ?? vars['GITHUB_SHA']) ? { commit: flags.commit ?? vars['GITHUB_SHA'] } : {}),
    ...((flags.ref ?? vars['GITHUB_REF']) ? { ref: flags.ref ?? vars['GITHUB_REF'] } : {}),
    ...(runUrl ? { runUrl } : {}),
    ...(github && vars['GITHUB_WORKFLOW'] ? { workflow: vars['GITHUB_WORKFLOW'] } : {}),
    ...(github && vars['GITHUB_JOB'] ? { job: vars['GITHUB_JOB'] } : {}),
  };
  return context;
}

function clip(value: string): string {
  const buf = Buffer.from(value, 'utf8');
  return buf.length <= METADATA_VALUE_MAX_BYTES
    ? value
    : `${buf.subarray(0, METADATA_VALUE_MAX_BYTES - 3).toString('utf8')}...`;
}

/** `ci.repository`, `ci.commit`... (metadata keys match [a-zA-Z0-9._-]; values at most 256 bytes). */
export function ciMetadata(context: CiContext): Record<string, string> {
  const entries: [string, string | undefined][] = [
    ['ci.provider', context.provider],
    ['ci.repository', context.repository],
    ['ci.commit', context.commit],
    ['ci.ref', context.ref],
    ['ci.run_url', context.runUrl],
    ['ci.workflow', context.workflow],
    ['ci.job', context.job],
  ];
  return Object.fromEntries(
    entries.filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => [k, clip(v)]),
  );
}

/** The block appended to the prompt, so the agent knows where it was started from. */
export function ciPromptBlock(
  context: CiContext,
  log?: { fileName: string; bytes: number; truncated: boolean },
): string {
  const lines: string[] = [];
  if (context.repository) lines.push(`- Repository: ${context.repository}`);
  if (context.commit) lines.push(`- Commit: ${context.commit}`);
  if (context.ref) lines.push(`- Ref: ${context.ref}`);
  if (context.workflow) lines.push(`- Workflow: ${context.workflow}${context.job ? ` (job ${context.job})` : ''}`);
  if (context.runUrl) lines.push(`- CI run: ${context.runUrl}`);
  if (log) {
    lines.push(
      `- Failing job's log: attached as ${log.fileName}` +
        (log.truncated ? ` (its last ${log.bytes} bytes)` : ` (${log.bytes} bytes)`),
    );
  }
  return lines.length > 0 ? `\n\n---\nStarted from CI:\n${lines.join('\n')}` : '';
}

export interface FileAttachment {
  file_name: string;
  mime_type: string;
  data: string;
}

/** The log's last MAX_LOG_BYTES as a text attachment named after the file. */
export function readLogAttachment(file: string): { attachment: FileAttachment; bytes: number; truncated: boolean } {
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`--log-file ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const truncated = content.length > MAX_LOG_BYTES;
  const tail = truncated ? content.subarray(content.length - MAX_LOG_BYTES) : content;
  const base = path.basename(file);
  return {
    attachment: {
      file_name: base.includes('.') ? base : `${base}.log`,
      mime_type: 'text/plain',
      data: tail.toString('base64'),
    },
    bytes: tail.length,
    truncated,
  };
}

/** `--attach <file>`: any file, whole, up to MAX_ATTACHMENT_BYTES. */
export function readFileAttachment(file: string): FileAttachment {
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`--attach ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (content.length > MAX_ATTACHMENT_BYTES) {
    throw new UsageError(
      `--attach ${file}: is ${content.length} bytes; attachments are at most ${MAX_ATTACHMENT_BYTES}`,
    );
  }
  const ext = path.extname(file).toLowerCase();
  const mime =
    ext === '.json'
      ? 'application/json'
      : ['.txt', '.log', '.md', '.diff', '.patch', '.yml', '.yaml', '.ts', '.js', '.py'].includes(ext)
        ? 'text/plain'
        : ext === '.png'
          ? 'image/png'
          : 'application/octet-stream';
  return { file_name: path.basename(file), mime_type: mime, data: content.toString('base64') };
}

/** `::error` lines are how GitHub Actions shows a failure on the job's summary; newlines must be encoded. */
export function githubAnnotation(level: 'error' | 'notice', title: string, message: string): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return `::${level} title=${esc(title).replace(/:/g, '%3A').replace(/,/g, '%2C')}::${esc(message)}`;
}

/** Appends step outputs (run_id, state, run_url) to the file GitHub Actions names in GITHUB_OUTPUT. */
export function writeGithubOutputs(file: string, outputs: Record<string, string>): void {
  const lines = Object.entries(outputs).map(([k, v]) => `${k}=${v.replace(/\r?\n/g, ' ')}`);
  fs.appendFileSync(file, `${lines.join('\n')}\n`);
}

/** `--metadata KEY=VALUE` values as a map (the API's schema checks keys and values). */
export function parseMetadataPairs(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--metadata needs KEY=VALUE, e.g. --metadata team=infra (got "${pair}")`);
    const key = pair.slice(0, eq);
    if (key in out) throw new UsageError(`--metadata ${key} is given twice; give each key once`);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}

/** Adds a line to the job summary GitHub Actions shows (the file GITHUB_STEP_SUMMARY names). */
export function appendGithubSummary(file: string, line: string): void {
  fs.appendFileSync(file, `${line}\n`);
}

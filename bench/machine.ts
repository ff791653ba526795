/** What the numbers were measured on, and how much memory the processes held. Linux /proc; blanks elsewhere. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  temporalCli: string;
  database: string;
  /** 1, 5 and 15 minute load averages, as `uptime` shows them. */
  loadAtStart: number[];
  loadAtEnd: number[];
  commit: string;
}

export function cpuModel(): string {
  try {
    const line = fs
      .readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function temporalCliVersion(cliPath: string): string {
  const out = spawnSync(cliPath, ['--version'], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : `unknown (${cliPath} --version failed)`;
}

export function gitCommit(): string {
  const cwd = path.resolve(__dirname, '..');
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? ' (working tree has uncommitted changes)' : ''}`;
}

export const loadAverage = (): number[] => os.loadavg().map((l) => Math.round(l * 100) / 100);

export interface ProcessMemory {
  /** Resident set size now, MiB. */
  rssMiB: number;
  /** Peak resident set size over the process's life (VmHWM), MiB. */
  peakMiB: number;
}

/** Reads VmRSS and VmHWM from /proc/<pid>/status; undefined when the process is gone or /proc is missing. */
export function processMemory(pid: number | 'self'): ProcessMemory | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

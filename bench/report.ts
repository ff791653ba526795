/** The bench's results as a console table and as the markdown written to bench/RESULTS.md. */
import type { MachineInfo, ProcessMemory } from './machine';
import type { CreateLatencyResult } from './scenarios/create-latency';
import type { DockerBenchOutcome } from './scenarios/docker-environments';
import type { EndToEndResult } from './scenarios/end-to-end';
import type { ThroughputResult } from './scenarios/throughput';
import type { Summary } from './stats';

export interface BenchResults {
  startedAt: string;
  durationS: number;
  machine: MachineInfo;
  settings: {
    iterations: number;
    warmup: number;
    throughputRuns: number;
    inFlight: number;
    /** Activity types an Ambit one-turn run scheduled, in order; the bare workflow runs as many no-ops. */
    activities: string[];
    modelCallsPerRun: number;
    workers: { ambit: string; baseline: string };
  };
  create: CreateLatencyResult;
  endToEnd: EndToEndResult;
  throughput: ThroughputResult;
  docker: DockerBenchOutcome;
  memory: {
    bench: { start?: ProcessMemory; afterSetup?: ProcessMemory; end?: ProcessMemory };
    temporal: { afterSetup?: ProcessMemory; end?: ProcessMemory };
  };
}

type Row = [measure: string, ambit: string, bare: string, ratio: string];

const ms = (v: number): string => (Number.isFinite(v) ? `${v < 100 ? v.toFixed(1) : v.toFixed(0)} ms` : 'n/a');
const ratio = (a: number, b: number): string => (Number.isFinite(a / b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
const mib = (m: ProcessMemory | undefined, key: keyof ProcessMemory): string =>
  m && Number.isFinite(m[key]) ? `${m[key].toFixed(0)} MiB` : 'n/a';

function latencyRows(label: string, a: Summary, b: Summary | undefined): Row[] {
  return [
    [`${label}, median`, ms(a.median), b ? ms(b.median) : '-', b ? ratio(a.median, b.median) : '-'],
    [`${label}, p99`, ms(a.p99), b ? ms(b.p99) : '-', b ? ratio(a.p99, b.p99) : '-'],
  ];
}

function resultRows(r: BenchResults): Row[] {
  const { create, endToEnd: e, throughput: t, settings: s } = r;
  const n = s.activities.length;
  return [
    ...latencyRows(`(a) create a run (n=${create.ambit.n})`, create.ambit, create.bare),
    ...latencyRows(`(b) one-turn run, create -> SUCCEEDED, client (n=${e.ambitWall.n})`, e.ambitWall, e.bareWall),
    ...latencyRows(`(b) same runs, Temporal execution start -> close`, e.ambitExecution, e.bareExecution),
    ...latencyRows(`(b) same runs, Ambit record created_at -> ended_at`, e.ambitRecord, undefined),
    [
      `(c) throughput, ${s.inFlight} in flight, ${s.throughputRuns} runs of ${n} activities`,
      `${t.ambit.runsPerSecond.toFixed(1)} runs/s`,
      `${t.bare.runsPerSecond.toFixed(1)} runs/s`,
      ratio(t.ambit.runsPerSecond, t.bare.runsPerSecond),
    ],
    ...latencyRows(`(c) each run's create -> completion under that load`, t.ambit.latency, t.bare.latency),
  ];
}

const DOCKER_HEADER = ['Measure', 'Time', 'Raw dockerd cycle', 'Time / raw'];

/** (d): each Docker measure against the raw create + start + exec + remove cycle, plus warm against cold. */
function dockerRows(d: DockerBenchOutcome): Row[] {
  if (!d.ran) return [];
  const r = d.result;
  const row = (label: string, s: Summary, stat: 'median' | 'p99'): Row => [
    `${label}, ${stat}`,
    ms(s[stat]),
    ms(r.raw[stat]),
    ratio(s[stat], r.raw[stat]),
  ];
  return [
    [`(d) raw create + start + exec + remove (n=${r.raw.n}), median`, ms(r.raw.median), ms(r.raw.median), '1.00x'],
    row(`(d) cold prepare: clone + setup + snapshot (n=${r.coldPrepare.n})`, r.coldPrepare, 'median'),
    row('(d) cold prepare', r.coldPrepare, 'p99'),
    row(`(d) warm prepare from the snapshot (n=${r.warmPrepare.n})`, r.warmPrepare, 'median'),
    row('(d) warm prepare', r.warmPrepare, 'p99'),
    row('(d) cold: prepare -> first step done', r.coldFirstStep, 'median'),
    row('(d) warm: prepare -> first step done', r.warmFirstStep, 'median'),
    [
      '(d) warm / cold, time to first step, median',
      ms(r.warmFirstStep.median),
      ms(r.coldFirstStep.median),
      ratio(r.warmFirstStep.median, r.coldFirstStep.median),
    ],
  ];
}

function dockerNote(d: DockerBenchOutcome): string {
  if (!d.ran) return `(d) Docker environments: skipped, because ${d.reason}.`;
  const r = d.result;
  return (
    `(d) On ${r.engine}, image ${r.image}, samples interleaved raw, cold, warm. Raw: \`createContainer\` (Init, ` +
    'sleep loop) + start + one exec + forced remove, through dockerode. Cold: `DockerProvider.prepare` with a new ' +
    'snapshot key each time (container, workspace volume, run user, host clone of a local repository, the setup ' +
    `commands ${r.setupCommands.map((c) => `\`${c}\``).join(', ')}, then the snapshot commit). Warm: the same ` +
    'environment again, started from its snapshot (key resolved with `git ls-remote`, workspace restored, no clone, ' +
    'no setup). "First step" adds the agent\'s first tool call (`provider.exec` of a shell command in the workspace) ' +
    "to the prepare. The provider's teardown is not timed. Time / raw compares each with the raw cycle; the last " +
    'row is warm / cold.'
  );
}

function memoryRows(r: BenchResults): [string, string, string, string][] {
  const { bench, temporal } = r.memory;
  return [
    [
      'bench process (API, workers, model server)',
      mib(bench.start, 'rssMiB'),
      mib(bench.afterSetup, 'rssMiB'),
      mib(bench.end, 'rssMiB'),
    ],
    ['bench process, peak (VmHWM)', '', '', mib(bench.end, 'peakMiB')],
    ['Temporal dev server', '', mib(temporal.afterSetup, 'rssMiB'), mib(temporal.end, 'rssMiB')],
    ['Temporal dev server, peak (VmHWM)', '', '', mib(temporal.end, 'peakMiB')],
  ];
}

function machineRows(r: BenchResults): [string, string][] {
  const m = r.machine;
  return [
    ['CPU', `${m.cpuModel}, ${m.cores} cores`],
    ['Memory', `${m.memoryGiB.toFixed(1)} GiB`],
    ['OS', m.os],
    ['Node', m.node],
    ['Temporal CLI', m.temporalCli],
    ['Database', m.database],
    ['Load average (1/5/15 min)', `${m.loadAtStart.join(' / ')} at start, ${m.loadAtEnd.join(' / ')} at end`],
    ['Commit', m.commit],
    ['Run', `${r.startedAt}, ${r.durationS.toFixed(0)} s in all`],
  ];
}

function notes(r: BenchResults): string[] {
  const s = r.settings;
  const e = r.endToEnd;
  const t = r.throughput;
  const lines = [
    'Ratios are Ambit / bare. For times, 2.00x means Ambit takes twice as long; for throughput, 0.50x means Ambit ' +
      'completes half as many runs per second. p99 is nearest-rank: with fewer than 100 samples it is the maximum.',
    '(a) Ambit: `POST /api/v1/agent/runs` over HTTP on 127.0.0.1 (authentication, validation, the run row and its ' +
      'first event, `workflow.start`). Bare: `client.workflow.start(trivialWorkflow)`. Neither task queue has a ' +
      'worker, so the runs stay queued and nothing executes while the next one is created.',
    `(b) One run at a time, the two sides alternating. Ambit: a one-turn run (one model call to the scripted model ` +
      `server, no tools), timed from sending the POST to its workflow result (\`handle.result()\`, no database ` +
      `polling). Bare: \`activitiesWorkflow({ count: ${s.activities.length} })\`, from \`workflow.start\` to ` +
      `\`handle.result()\`. The Ambit run scheduled ${s.activities.length} activities (read from its history): ` +
      `${s.activities.join(', ')}; model calls per run: ${s.modelCallsPerRun}.`,
    '(b) "Temporal execution" is the server-side time from the execution start to its close for the same runs; the ' +
      "Ambit record time is the run row's `created_at` to `ended_at` (written by the last recordRunState activity).",
    `(c) ${s.throughputRuns} runs per side with ${s.inFlight} kept in flight: the next run is created as soon as one ` +
      'completes. Each side runs two half batches, in the order bare, Ambit, Ambit, bare. Runs per second = completed ' +
      'runs / wall-clock time of its batches, ramp-up and drain included.',
    'Memory: "at start" is this process with its modules loaded; setup adds webpack bundling of both workflow sets, ' +
      'the workers, the API and the scripted model server. The Temporal dev server keeps every history in memory, so ' +
      'it grows with the number of runs.',
    `Workers, in this process: Ambit: ${s.workers.ambit}. Bare: ${s.workers.baseline}.`,
    `Warm-up: ${s.warmup} samples per side thrown away before (a) and (b), plus one profiling run.`,
    dockerNote(r.docker),
  ];
  const failures = e.ambitFailures + t.ambit.failed + t.bare.failed;
  if (failures > 0) {
    lines.push(
      `Runs that did not succeed (left out of the samples): ${e.ambitFailures} in (b), ${t.ambit.failed} Ambit and ` +
        `${t.bare.failed} bare in (c).`,
    );
  }
  // Only the load before the bench started says something about other work: by the end it includes the bench itself.
  const [oneMinute = 0, fiveMinutes = 0] = r.machine.loadAtStart;
  if (Math.max(oneMinute, fiveMinutes) > 2) {
    lines.push(
      `The machine was busy: load average ${oneMinute} (1 min) / ${fiveMinutes} (5 min) at start on ` +
        `${r.machine.cores} cores, from other work running beside the bench, so ` +
        'absolute numbers are noisy. Both sides ran interleaved under the same load, so the ratios hold better than ' +
        'the absolute figures.',
    );
  }
  return lines;
}

function textTable(header: string[], rows: string[][], rightAligned = true): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || !rightAligned ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('   '), ...rows.map(line)].join('\n');
}

function markdownTable(header: string[], rows: string[][], rightAligned = true): string {
  const sep = header.map((_, i) => (i === 0 || !rightAligned ? '---' : '---:'));
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(sep), ...rows.map(line)].join('\n');
}

const RESULT_HEADER = ['Measure', 'Ambit', 'Bare Temporal', 'Ambit / bare'];
const MEMORY_HEADER = ['Resident memory', 'At start (modules loaded)', 'After setup', 'At end'];

export function renderText(r: BenchResults): string {
  return [
    'Ambit against the raw engine',
    '',
    textTable(RESULT_HEADER, resultRows(r)),
    '',
    ...(r.docker.ran ? [textTable(DOCKER_HEADER, dockerRows(r.docker)), ''] : []),
    textTable(MEMORY_HEADER, memoryRows(r)),
    '',
    textTable(['Machine', ''], machineRows(r), false),
    '',
    ...notes(r).map((n) => `- ${n.replace(/`/g, '')}`),
  ].join('\n');
}

export function renderMarkdown(r: BenchResults): string {
  return [
    '# Benchmark: Ambit against the raw engine',
    '',
    'Written by `npm run bench` (bench/main.ts); overwritten on every run.',
    '',
    markdownTable(RESULT_HEADER, resultRows(r)),
    '',
    '## Docker environments: warm starts',
    '',
    ...(r.docker.ran ? [markdownTable(DOCKER_HEADER, dockerRows(r.docker))] : [dockerNote(r.docker)]),
    '',
    '## Memory',
    '',
    markdownTable(MEMORY_HEADER, memoryRows(r)),
    '',
    '## Machine',
    '',
    markdownTable(['Machine', ''], machineRows(r), false),
    '',
    '## How it was measured',
    '',
    ...notes(r).map((n) => `- ${n}`),
    '',
  ].join('\n');
}

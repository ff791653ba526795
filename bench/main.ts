/**
 * `npm run bench`: Ambit's cost over the raw Temporal engine, as ratios. Starts its own Temporal dev server and
 * database, measures, prints a table, writes bench/RESULTS.md, and stops everything it started, also on Ctrl-C.
 */
import fs from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { Cleanup } from './cleanup';
import { BenchOptionsError, parseBenchOptions } from './options';
import { renderMarkdown, renderText } from './report';
import { runBench } from './run-bench';

const RESULTS_FILE = path.join(__dirname, 'RESULTS.md');
const say = (line = '') => process.stdout.write(`${line}\n`);

/** Formatted as the repository's Prettier would, so `npm run lint` passes on the file the bench wrote. */
async function writeResults(markdown: string): Promise<void> {
  const config = (await resolveConfig(RESULTS_FILE)) ?? {};
  fs.writeFileSync(RESULTS_FILE, await format(markdown, { ...config, filepath: RESULTS_FILE }));
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.env);
  const cleanup = new Cleanup(say);
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C while cleaning up means: stop now.
    if (signalled) process.exit(130);
    signalled = true;
    say(`\n${signal}: stopping everything the bench started ...`);
    void cleanup.run().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const results = await runBench(options, cleanup, say);
    say('');
    say(renderText(results));
    await writeResults(renderMarkdown(results));
    say('');
    say(`Written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
    return 0;
  } finally {
    say('Stopping ...');
    await cleanup.run();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `\nThe bench failed: ${err instanceof BenchOptionsError ? err.message : String((err as Error).stack ?? err)}\n`,
    );
    process.exit(1);
  },
);

import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/platform';

/**
 * Histories recorded from real runs (tools, a user-side failure, a cancellation mid model call, approval gates
 * approved, denied and cancelled while BLOCKED; `host-transport-*`: runs whose host activities return their results
 * to platform activities, including one cancelled while QUEUED for an absent host and a failed setup). A change to the
 * workflow that would break runs in flight fails here: guard such changes with `patched()`.
 * Record another with `JSON.stringify(await client.workflow.getHandle(runId).fetchHistory())`.
 * (They are read with @temporalio/proto's `History.fromObject`: common's `historyFromJSON` trips over a second
 * protobufjs copy in this dependency tree.)
 */
const DIR = path.join(__dirname, 'histories');
const histories = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('agentRunWorkflow replays its committed histories', () => {
  test('there are histories to replay', () => {
    expect(histories.length).toBeGreaterThanOrEqual(3);
  });

  test.each(histories)('%s', async (file) => {
    const history = temporal.api.history.v1.History.fromObject(
      JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')),
    );
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file),
    ).resolves.toBeUndefined();
  });
});

/**
 * One ambient-agent run, start to record. Reads top to bottom: resolve config → prepare the environment →
 * run the agent (the model/tool loop, or an external harness) → emit outputs → finalize, and clean up the
 * environment in every outcome. Every side effect is an activity; the transcript lives in the database and only
 * ids cross this boundary.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { describePendingAction, requiresApproval } from '../src/domain/approvals';
import { FailureType, RunErrorCode } from '../src/domain/errors';
import { TURNS_PER_EXECUTION } from '../src/domain/limits';
import type { StatusMessage } from '../src/domain/run';
import type { RunState } from '../src/domain/run-state';
import {
  ACCEPT_RUN,
  CLEANUP,
  HARNESS,
  MODEL_CALL,
  PROVISION,
  RECORD,
  RESOLVE_CONFIG,
  TOOL_CALL,
} from './activity-options';
import {
  decideApprovalUpdate,
  getRunStatusQuery,
  interruptRunUpdate,
  sendFollowupUpdate,
  type AgentRunResult,
  type ApprovalDecisionInput,
  type FollowupInput,
  type InterruptInput,
  type AgentRunWorkflowInput,
  type EnvironmentRef,
  type RunPlan,
  type RunStatusSnapshot,
} from './definitions';

const record = proxyActivities<Activities>(RECORD);
const config = proxyActivities<Activities>(RESOLVE_CONFIG);
const model = proxyActivities<Activities>(MODEL_CALL);
/** An interrupt waits until the stopped activity has really ended, so nothing it writes lands after the interrupt. */
const STOPPABLE = { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED };
const stoppableModel = proxyActivities<Activities>({ ...MODEL_CALL, ...STOPPABLE });

/** Environment and tool activities run on the task queue of the host that serves the run. */
function onHost(taskQueue: string) {
  return {
    accept: proxyActivities<Activities>({ ...ACCEPT_RUN, taskQueue }),
    provision: proxyActivities<Activities>({ ...PROVISION, taskQueue }),
    tools: proxyActivities<Activities>({ ...TOOL_CALL, taskQueue }),
    stoppableTools: proxyActivities<Activities>({ ...TOOL_CALL, ...STOPPABLE, taskQueue }),
    harness: proxyActivities<Activities>({ ...HARNESS, taskQueue }),
    cleanup: proxyActivities<Activities>({ ...CLEANUP, taskQueue }),
  };
}

const USER_SIDE_FAILURES: readonly string[] = [
  FailureType.InvalidConfig,
  FailureType.ModelRequestRejected,
  FailureType.EnvironmentSetupFailed,
  FailureType.HarnessFailed,
];

/** Thrown inside the workflow to end the run FAILED with a code (limits). */
class RunLimitReached extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

function failureOf(err: unknown): ApplicationFailure | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? cause : undefined;
}

/** Maps how the run ended to its terminal state and status message. */
function outcomeOf(err: unknown, timedOut: boolean): { state: RunState; statusMessage: StatusMessage } {
  if (timedOut) {
    return {
      state: 'FAILED',
      statusMessage: {
        message: 'The run hit its time limit (run_timeout_minutes) and was stopped.',
        error_code: RunErrorCode.RunTimeout,
      },
    };
  }
  if (isCancellation(err)) {
    return {
      state: 'CANCELLED',
      statusMessage: { message: 'The run was cancelled.', error_code: RunErrorCode.Cancelled },
    };
  }
  if (err instanceof RunLimitReached) {
    return { state: 'FAILED', statusMessage: { message: err.message, error_code: err.errorCode } };
  }
  const failure = failureOf(err);
  if (failure?.type && USER_SIDE_FAILURES.includes(failure.type)) {
    const details = failure.details?.[0] as { errorCode?: string } | undefined;
    return {
      state: 'FAILED',
      statusMessage: { message: failure.message, error_code: details?.errorCode ?? RunErrorCode.InvalidConfig },
    };
  }
  return {
    state: 'ERROR',
    statusMessage: {
      message: 'The platform failed to complete the run; it can be retried.',
      error_code: RunErrorCode.InternalError,
      retryable: true,
    },
  };
}

export async function agentRunWorkflow(input: AgentRunWorkflowInput): Promise<AgentRunResult> {
  const { runId } = input;
  const execution = input.execution ?? 1;
  const status: RunStatusSnapshot = { state: 'QUEUED', turn: input.continuation?.nextTurn ?? 0, phase: 'starting' };
  setHandler(getRunStatusQuery, () => status);

  // Follow-ups queue here and are written to the transcript before the next model call.
  const pending: FollowupInput[] = [...(input.continuation?.pendingFollowups ?? [])];
  const seenFollowups = new Set(pending.map((f) => f.id));
  setHandler(
    sendFollowupUpdate,
    (followup) => {
      if (!seenFollowups.has(followup.id)) {
        seenFollowups.add(followup.id);
        pending.push(followup);
      }
      return { accepted: true, turn: status.turn + 1 };
    },
    {
      validator: (followup: FollowupInput) => {
        if (!followup.message.trim()) throw new Error('message must not be empty');
        if (status.phase === 'outputs' || status.phase === 'cleanup' || status.phase === 'done') {
          throw new Error('RunEnding: the run is finishing; send the follow-up again to start a new execution');
        }
        if (plan && plan.harness !== 'ambit') {
          throw new Error(`HarnessNoFollowups: the ${plan.harness} harness does not take follow-ups while it runs`);
        }
      },
    },
  );

  // Approval gates: the decision for the pending tool call arrives through an update while the run is BLOCKED.
  type Decision = ApprovalDecisionInput & { actionId: string; decidedAt: string };
  let decision: Decision | undefined;
  // Read through a function: the compiler cannot see the update handler assign `decision` during `condition`.
  const currentDecision = (): Decision | undefined => decision;
  setHandler(
    decideApprovalUpdate,
    (request) => {
      const actionId = status.pendingApproval?.actionId ?? '';
      decision = { ...request, actionId, decidedAt: new Date().toISOString() };
      return { actionId, decision: request.decision };
    },
    {
      validator: (request: ApprovalDecisionInput) => {
        const pendingAction = status.pendingApproval;
        if (!pendingAction || decision) throw new Error('NoPendingApproval: no action of this run waits for approval');
        if (request.actionId !== undefined && request.actionId !== pendingAction.actionId) {
          throw new Error(
            `ApprovalNotPending: action ${request.actionId} is not pending; the pending action is ${pendingAction.actionId} (${pendingAction.name})`,
          );
        }
      },
    },
  );

  // Interrupts: the agent's current step runs in its own cancellation scope, which an interrupt cancels; the run then
  // waits BLOCKED until a follow-up arrives. Runs started before this existed keep their old command sequence.
  const interruptible = patched('interrupt');
  let interruption: { by: string; at: string } | undefined;
  let stepScope: CancellationScope | undefined;
  setHandler(
    interruptRunUpdate,
    (request) => {
      interruption = { by: request.by, at: new Date().toISOString() };
      status.interrupted = interruption;
      stepScope?.cancel();
      return { turn: status.turn };
    },
    {
      validator: (_request: InterruptInput) => {
        if (!interruptible) {
          throw new Error('NotInterruptible: this run started before interrupts existed; cancel it instead');
        }
        if (plan && plan.harness !== 'ambit') {
          throw new Error(
            `NotInterruptible: the ${plan.harness} harness cannot be interrupted; cancel the run instead`,
          );
        }
        if (status.phase !== 'agent') {
          throw new Error(`NotInterruptible: the agent is not working (the run is in its ${status.phase} phase)`);
        }
        if (interruption) {
          throw new Error(
            'NotInterruptible: the run is already interrupted and waits for instructions; send a follow-up',
          );
        }
      },
    },
  );

  // Host transport: host activities take their input from the workflow and return what they produce, which platform
  // activities record (a host worker has no database), and the run stays QUEUED until its host accepts it. Runs
  // started before keep their old command sequence.
  const hostTransport = patched('host-transport');
  /** A host took the run (so its environment is cleaned up there); a continued execution was taken before. */
  let accepted = input.continuation !== undefined;
  // Secrets: a platform activity seals the run's secrets for its host; host activities receive only that opaque
  // string (no value enters a payload or the history). Runs started before get none, as before.
  const withSecrets = patched('secrets');
  let sealedSecrets: string | undefined;
  const sealed = () => (sealedSecrets ? { sealedSecrets } : {});

  let plan: RunPlan | undefined = input.continuation?.plan;
  let environment: EnvironmentRef | undefined = input.continuation?.environment;
  let deadline = input.continuation?.deadline;
  let timedOut = false;
  let continuing = false;
  let final: { state: RunState; statusMessage: StatusMessage } | undefined;

  const setState = async (state: RunState, step: string, statusMessage?: StatusMessage) => {
    status.state = state;
    await record.recordRunState({ runId, state, statusMessage, key: `exec-${execution}-${step}-${state}` });
  };

  /**
   * Blocks the run on one tool call until a human decides. The wait counts against the run's time limit and a
   * cancellation ends it like any step. Resolves to whether the call may run; a denial is already recorded as the
   * call's result.
   */
  const awaitApproval = async (action: { actionId: string; name: string; input: unknown; reason: string }) => {
    const what = describePendingAction(action.name, action.input);
    status.pendingApproval = { actionId: action.actionId, name: action.name, reason: action.reason };
    decision = undefined;
    status.state = 'BLOCKED';
    await record.requestApproval({
      runId,
      execution,
      ...action,
      statusMessage: `Waiting for approval of ${what} (${action.reason}); approve or deny action ${action.actionId}.`,
    });
    await condition(() => currentDecision() !== undefined);
    const decided = currentDecision();
    if (!decided) throw new Error('the approval wait ended without a decision');
    status.pendingApproval = undefined;
    decision = undefined;
    await record.recordApprovalDecision({
      runId,
      execution,
      actionId: decided.actionId,
      decision: decided.decision,
      by: decided.by,
      decidedAt: decided.decidedAt,
      ...(decided.comment ? { comment: decided.comment } : {}),
    });
    status.state = 'INPROGRESS';
    return decided.decision === 'approve';
  };

  /**
   * Runs one agent step (a model call and its tool calls) so that an interrupt can stop it. Resolves undefined when
   * it was interrupted; a cancellation of the run itself (or its time limit) still ends the run.
   */
  const stoppableStep = async <T>(parent: CancellationScope, step: () => Promise<T>): Promise<T | undefined> => {
    if (!interruptible) return step();
    if (interruption) return undefined;
    const scope = new CancellationScope({ parent, cancellable: true });
    stepScope = scope;
    try {
      return await scope.run(step);
    } catch (err) {
      if (interruption && !parent.consideredCancelled) return undefined;
      throw err;
    } finally {
      stepScope = undefined;
    }
  };

  /** After an interrupt: records it (unfinished tool calls fail for the model), then waits BLOCKED for a follow-up. */
  const waitForInstructions = async (turn: number) => {
    const stopped = interruption;
    if (!stopped) return;
    status.pendingApproval = undefined;
    decision = undefined;
    status.state = 'BLOCKED';
    await record.recordInterruption({ runId, execution, turn, by: stopped.by, interruptedAt: stopped.at });
    await condition(() => pending.length > 0);
    interruption = undefined;
    status.interrupted = undefined;
    status.state = 'INPROGRESS';
    await record.recordResumeAfterInterrupt({ runId, execution, turn });
  };

  /**
   * Provisions the environment on the host one step at a time (container, each clone, each setup command), recording
   * each step's output before the next starts, then writes the request's attachments into it.
   */
  const provisionOnHost = async (host: ReturnType<typeof onHost>): Promise<EnvironmentRef> => {
    const setup = await record.loadEnvironmentSetup({ runId });
    let ready: EnvironmentRef | undefined;
    for (let step = 1; !ready; step++) {
      const result = await host.provision.prepareEnvironmentStep({
        runId,
        ...(setup.spec ? { spec: setup.spec } : {}),
        ...sealed(),
      });
      await record.recordEnvironmentProgress({
        runId,
        execution,
        step,
        progress: result.progress,
        ...(result.droppedLines ? { droppedLines: result.droppedLines } : {}),
        ...(setup.environmentId ? { environmentId: setup.environmentId } : {}),
        ...(result.snapshot ? { snapshot: result.snapshot } : {}),
        ...(result.complete ? { complete: true } : {}),
        ...(result.setupFailed ? { setupFailed: true } : {}),
      });
      if (result.setupFailed) {
        throw ApplicationFailure.create({
          message: result.setupFailed.message,
          type: FailureType.EnvironmentSetupFailed,
          nonRetryable: true,
          details: [{ errorCode: RunErrorCode.EnvironmentSetupFailed }],
        });
      }
      if (result.complete) ready = result.environment;
    }
    for (const file of setup.attachments) {
      await host.provision.writeEnvironmentFile({ runId, environment: ready, path: file.path, data: file.data });
    }
    if (plan?.harness === 'ambit') {
      const { tools } = await host.provision.discoverToolsOnHost({
        runId,
        environment: ready,
        mcpServers: setup.mcpServers,
        ...sealed(),
      });
      await record.recordToolDefinitions({ runId, mcpTools: tools });
      // The repository's AGENTS.md files join the model's instructions; runs started before keep their sequence.
      if (patched('project-instructions')) {
        const files = await host.provision.readProjectInstructions({ runId, environment: ready });
        if (files.length > 0) await config.recordProjectInstructions({ runId, files });
      }
    }
    return ready;
  };

  /** One tool call: the platform loads it, the host executes it, the platform records the result. */
  const runToolOnHost = async (
    tools: ReturnType<typeof onHost>['tools'],
    toolCallId: string,
    activeEnvironment: EnvironmentRef,
  ) => {
    const loaded = await record.loadToolCall({ runId, toolCallId });
    if ('done' in loaded) return;
    const outcome = await tools.runToolOnHost({
      runId,
      toolCallId,
      environment: activeEnvironment,
      call: loaded.call,
      ...sealed(),
    });
    await record.recordToolResult({ runId, toolCallId, state: outcome.state, output: outcome.output });
  };

  try {
    if ((!plan || !environment) && hostTransport) {
      plan = await config.resolveRunConfig({ runId });
      const host = onHost(plan.hostTaskQueue);
      // Waits here, QUEUED, while the host has no live worker or no free slot.
      await host.accept.acceptRun({ runId });
      accepted = true;
      if (withSecrets) sealedSecrets = (await config.sealRunSecrets({ runId })).sealedSecrets;
      await setState('PENDING', 'start');
      deadline = Date.now() + plan.runTimeoutMs;
      status.phase = 'provisioning';
      environment = await provisionOnHost(host);
      // CLAIMED once the environment is ready (tools discovered), as before; then the agent starts.
      await setState('CLAIMED', 'provisioned');
      await setState('INPROGRESS', 'agent');
    }
    if (!plan || !environment) {
      await setState('PENDING', 'start');
      plan = await config.resolveRunConfig({ runId });
      deadline = Date.now() + plan.runTimeoutMs;
      status.phase = 'provisioning';
      const host = onHost(plan.hostTaskQueue);
      environment = await host.provision.prepareEnvironment({ runId });
      await setState('CLAIMED', 'provisioned');
      if (plan.harness === 'ambit') await host.provision.discoverTools({ runId, environment });
      await setState('INPROGRESS', 'agent');
    }
    // A continued execution seals again: its input carries no secrets, not even sealed ones.
    if (withSecrets && hostTransport && input.continuation) {
      sealedSecrets = (await config.sealRunSecrets({ runId })).sealedSecrets;
    }
    status.phase = 'agent';
    const activePlan = plan;
    const activeEnvironment = environment;
    const host = onHost(activePlan.hostTaskQueue);

    // The agent runs in its own scope so the run's time limit can stop it mid-call, like a cancellation.
    const agentScope = new CancellationScope();
    const limitScope = new CancellationScope();
    void limitScope
      .run(() => sleep(Math.max(0, (deadline ?? 0) - Date.now())))
      .then(
        () => {
          timedOut = true;
          agentScope.cancel();
        },
        () => undefined,
      );
    try {
      await agentScope.run(async () => {
        if (activePlan.harness !== 'ambit' && hostTransport) {
          const turn = activePlan.startTurn;
          const loaded = await record.loadHarnessInput({ runId, turn });
          if ('done' in loaded) return;
          const outcome = await host.harness.runHarnessOnHost({
            runId,
            environment: activeEnvironment,
            harness: activePlan.harness,
            prompt: loaded.prompt,
            ...(loaded.modelId ? { modelId: loaded.modelId } : {}),
            ...sealed(),
          });
          await record.recordHarnessResult({ runId, turn, harness: activePlan.harness, outcome });
          if (outcome.failed) {
            throw ApplicationFailure.create({
              message: outcome.failed.message,
              type: FailureType.HarnessFailed,
              nonRetryable: true,
              details: [{ errorCode: RunErrorCode.HarnessFailed }],
            });
          }
          return;
        }
        if (activePlan.harness !== 'ambit') {
          await host.harness.runHarness({
            runId,
            environment: activeEnvironment,
            harness: activePlan.harness,
            turn: activePlan.startTurn,
          });
          return;
        }
        let turn = input.continuation?.nextTurn ?? activePlan.startTurn;
        let turnsThisExecution = 0;
        for (;;) {
          if (turn - activePlan.startTurn >= activePlan.maxTurns) {
            throw new RunLimitReached(
              RunErrorCode.MaxTurnsExceeded,
              `The agent used all ${activePlan.maxTurns} turns (max_turns) without finishing.`,
            );
          }
          // An accepted interrupt is handled before continuing as new: the next execution would not know of it.
          const mayContinue = !interruption;
          if (mayContinue && (turnsThisExecution >= TURNS_PER_EXECUTION || workflowInfo().continueAsNewSuggested)) {
            continuing = true;
            await continueAsNew<typeof agentRunWorkflow>({
              runId,
              execution,
              continuation: {
                plan: activePlan,
                environment: activeEnvironment,
                nextTurn: turn,
                deadline: deadline ?? 0,
                pendingFollowups: pending.splice(0),
              },
            });
          }
          status.turn = turn;
          if (pending.length > 0) await record.recordFollowups({ runId, turn, followups: pending.splice(0) });
          const callModel = interruptible ? stoppableModel.callModel : model.callModel;
          const runTool = interruptible ? host.stoppableTools.runTool : host.tools.runTool;
          const answer = await stoppableStep(agentScope, async () => {
            const answer = await callModel({ runId, turn, modelId: activePlan.modelId });
            for (const toolCallId of answer.toolCallIds) {
              const call = answer.toolCalls?.find((c) => c.id === toolCallId);
              const gate = call ? requiresApproval(activePlan.approvals, call.name, call.input) : { required: false };
              if (call && gate.required) {
                const approved = await awaitApproval({
                  actionId: call.id,
                  name: call.name,
                  input: call.input,
                  reason: gate.reason ?? '',
                });
                if (!approved) continue;
              }
              if (hostTransport) {
                await runToolOnHost(interruptible ? host.stoppableTools : host.tools, toolCallId, activeEnvironment);
              } else {
                await runTool({ runId, toolCallId, environment: activeEnvironment });
              }
            }
            return answer;
          });
          turn += 1;
          turnsThisExecution += 1;
          if (interruption || !answer) {
            await waitForInstructions(turn - 1);
            continue;
          }
          // An answer without tool calls ends the agent, unless a follow-up arrived meanwhile.
          if (answer.toolCallIds.length === 0 && pending.length === 0) return;
        }
      });
    } finally {
      limitScope.cancel();
    }

    status.phase = 'outputs';
    const outputs = await record.emitOutputs({ runId, execution });
    final = { state: 'SUCCEEDED', statusMessage: outputs.summary };
  } catch (err) {
    if (continuing) throw err;
    final = outcomeOf(err, timedOut);
  } finally {
    if (!continuing) {
      // Recording the outcome and cleaning up must happen even when the run was cancelled.
      await CancellationScope.nonCancellable(async () => {
        status.phase = 'cleanup';
        if (plan && (accepted || !hostTransport)) {
          // Also when provisioning was interrupted: providers name environments after the run id.
          const ref = environment ?? { provider: 'unknown', id: runId };
          await onHost(plan.hostTaskQueue).cleanup.cleanupEnvironment({ runId, environment: ref });
        }
        if (final) await setState(final.state, 'end', final.statusMessage);
        status.phase = 'done';
      });
    }
  }
  return { state: final?.state ?? 'ERROR', turns: status.turn, errorCode: final?.statusMessage.error_code };
}

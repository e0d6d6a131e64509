import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { RUN_TERMINAL, runTransitionAllowed, type RunStatus } from '../../common/missions';
import { store } from './activities';
import { type MissionRunInput, type RunPatch, touchRunSignal, updateRunUpdate } from './messages';

/**
 * One compat mission run (`run-<id>`): the bot drives it, so its status is the bot's, written
 * through the `updateRun` update (validated here, persisted before the reply). The workflow's
 * own write is `failed` ("abandoned") after the idle timeout with no writes and no open events.
 */
export async function missionRunWorkflow(input: MissionRunInput): Promise<{ status: string }> {
  let status = input.status ?? 'pending';
  let writes = 0;
  setHandler(touchRunSignal, () => void (writes += 1));
  setHandler(
    updateRunUpdate,
    async (patch: RunPatch) => {
      writes += 1;
      await store.saveRun({ runId: input.runId, status: patch.status, resultSummary: patch.result_summary, resultPayload: patch.result_payload });
      if (patch.status) status = patch.status;
      return { status };
    },
    {
      validator: (patch: RunPatch) => {
        if (!patch.status || patch.status === status) return;
        if (RUN_TERMINAL.has(status)) throw ApplicationFailure.nonRetryable(`the run is ${status}`, 'run_terminal');
        if (!runTransitionAllowed(status, patch.status as RunStatus)) throw ApplicationFailure.nonRetryable(`a ${status} run cannot become ${patch.status}`, 'invalid_transition');
      },
    },
  );

  while (!RUN_TERMINAL.has(status)) {
    const seen = writes;
    const active = await condition(() => writes !== seen || RUN_TERMINAL.has(status), input.idleTimeoutMs);
    if (!RUN_TERMINAL.has(status) && workflowInfo().continueAsNewSuggested) {
      // A chatty bot's writes (each a signal or update) grow the history: start afresh.
      await condition(allHandlersFinished);
      await continueAsNew<typeof missionRunWorkflow>({ ...input, status });
    }
    if (active || RUN_TERMINAL.has(status)) continue;
    if (await store.runHasOpenEvents(input.runId)) continue;
    await store.saveRun({ runId: input.runId, status: 'failed', resultSummary: 'abandoned: no writes and no open events within the idle timeout' });
    await store.logRunEvent({ runId: input.runId, type: 'error', summary: 'Run abandoned after the idle timeout' });
    status = 'failed';
  }
  await condition(allHandlersFinished);
  return { status };
}

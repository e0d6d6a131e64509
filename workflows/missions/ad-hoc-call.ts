import { allHandlersFinished, CancellationScope, condition, isCancellation, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { CallStatusAttribute } from '../../common/search-attributes';
import type { AttemptOutcome } from '../../common/missions';
import { calls } from './activities';
import { type AdHocCallInput, endCallUpdate } from './messages';

/** One ad-hoc call (`call-<id>`, POST /v1/calls): dials once, no retries; `endCall` hangs up. */
export async function adHocCallWorkflow(input: AdHocCallInput): Promise<AttemptOutcome> {
  let done = false;
  let status = 'initiating';
  const scope = new CancellationScope();
  setHandler(endCallUpdate, async () => {
    scope.cancel();
    await condition(() => done);
    return { status };
  });
  let outcome: AttemptOutcome;
  try {
    outcome = await scope.run(() => calls.placeCall({ callId: input.callId, accountId: input.accountId, eventId: null, attempt: 1, from: input.from, to: input.to }));
  } catch (err) {
    if (!isCancellation(err)) throw err;
    outcome = (await calls.readCallOutcome(input.callId)) ?? { call_status: 'canceled', outcome: null, call_id: input.callId };
  }
  status = outcome.call_status;
  done = true;
  upsertSearchAttributes([{ key: CallStatusAttribute, value: status }]);
  await condition(allHandlersFinished);
  return outcome;
}

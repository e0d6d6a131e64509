import { allHandlersFinished, ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { store } from './activities';
import { type ApprovalDecision, type ApprovalInput, decideApprovalUpdate } from './messages';

/** One approval request (`approval-<id>`): a durable wait for a decision, `expired` at its expiry. */
export async function approvalWorkflow(input: ApprovalInput): Promise<{ status: string; selection: string[] | null }> {
  let status = 'pending';
  let deciding = false;
  let selection: string[] | null = null;
  setHandler(
    decideApprovalUpdate,
    async ({ decision, note, selection: kept }: ApprovalDecision) => {
      deciding = true;
      selection = kept ?? null;
      await store.saveApproval({ approvalId: input.approvalId, status: decision, note, ...(kept ? { selection: kept } : {}) });
      status = decision;
      return { status };
    },
    {
      validator: (_decision: ApprovalDecision) => {
        // The first decision wins, even while it is still being written.
        if (status !== 'pending' || deciding) throw ApplicationFailure.nonRetryable(`the request is already ${status === 'pending' ? 'being decided' : status}`, 'already_decided');
      },
    },
  );
  const decided = await condition(() => deciding, input.expiresInMs);
  if (!decided) {
    await store.saveApproval({ approvalId: input.approvalId, status: 'expired' });
    status = 'expired';
  }
  await condition(allHandlersFinished);
  return { status, selection };
}

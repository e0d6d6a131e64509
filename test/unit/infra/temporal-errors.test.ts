import { ServiceError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { classifyTemporalError, isWorkflowGone } from '../../../infra/temporal-errors';
import { tryUpdate } from '../../../api/v1/temporal';
import { V1Error } from '../../../api/v1/common';

/** The shape grpc-js gives a failed call (what the SDK's isGrpcServiceError recognises). */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

test('each Temporal failure is told apart by type or gRPC code', () => {
  expect(classifyTemporalError(new WorkflowNotFoundError('workflow not found for ID: x', 'x', undefined)).kind).toBe('not_found');
  // What the client throws when an update reaches a workflow that has closed.
  expect(classifyTemporalError(new WorkflowNotFoundError('workflow execution already completed', 'x', undefined)).kind).toBe('closed');
  expect(classifyTemporalError(grpcError(5, 'workflow execution already completed')).kind).toBe('closed');
  expect(classifyTemporalError(grpcError(5, 'namespace missing')).kind).toBe('not_found');
  expect(classifyTemporalError(grpcError(6, 'search attribute X already exists')).kind).toBe('already_exists');
  expect(classifyTemporalError(grpcError(14, 'connection refused')).kind).toBe('unavailable');
  expect(classifyTemporalError(new ServiceError('Workflow Update failed', { cause: grpcError(4, 'deadline') })).kind).toBe('unavailable');
  expect(classifyTemporalError(new WorkflowExecutionAlreadyStartedError('started', 'x', 'callSessionWorkflow')).kind).toBe('already_started');
  expect(classifyTemporalError(new Error('boom')).kind).toBe('other');
  // A message that merely mentions "not found" is not a Temporal verdict.
  expect(classifyTemporalError(new Error('row not found')).kind).toBe('other');

  const refused = classifyTemporalError(new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: 'invalid_transition', message: 'run is done' })));
  expect(refused).toEqual({ kind: 'rejected', type: 'invalid_transition', message: 'run is done' });
  expect(isWorkflowGone(new WorkflowUpdateFailedError('failed', ApplicationFailure.create({ message: 'session ended' })))).toBe(true);
  expect(isWorkflowGone(grpcError(14, 'down'))).toBe(false);
});

test('/v1 tryUpdate: a coded refusal is its 409, a gone workflow is `closed`, anything else is rethrown', async () => {
  await expect(tryUpdate(async () => 7)).resolves.toEqual({ ok: true, value: 7 });
  const coded = tryUpdate(() => Promise.reject(new WorkflowUpdateFailedError('failed', ApplicationFailure.create({ type: 'invalid_transition', message: 'no' }))));
  await expect(coded).rejects.toBeInstanceOf(V1Error);
  await expect(coded).rejects.toMatchObject({ status: 409, code: 'invalid_transition', message: 'no' });
  const uncoded = new WorkflowUpdateFailedError('failed', new Error('plain'));
  await expect(tryUpdate(() => Promise.reject(uncoded))).rejects.toBe(uncoded);
  await expect(tryUpdate(() => Promise.reject(new WorkflowNotFoundError('workflow execution already completed', 'x', undefined)))).resolves.toEqual({ ok: false, closed: true });
  await expect(tryUpdate(() => Promise.reject(new WorkflowNotFoundError('not found', 'x', undefined)))).resolves.toEqual({ ok: false, closed: true });
  const down = grpcError(14, 'down');
  await expect(tryUpdate(() => Promise.reject(down))).rejects.toBe(down);
});


/**
 * The one classifier of Temporal client errors: every caller asks "what happened" here instead
 * of matching messages itself. Kinds are what the API's answers depend on.
 */
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

export type TemporalErrorKind =
  /** No such workflow (never started, or past retention). */
  | 'not_found'
  /** The workflow has already closed: its updates can no longer run. */
  | 'closed'
  /** The workflow's update validator or handler refused the message. */
  | 'rejected'
  /** A start hit an id that is taken and may not be reused. */
  | 'already_started'
  /** A namespace-level resource (a search attribute) is already registered. */
  | 'already_exists'
  /** Temporal (or the network to it) does not answer: come back later. */
  | 'unavailable'
  | 'other';

export interface ClassifiedTemporalError {
  kind: TemporalErrorKind;
  /** For `rejected`: the ApplicationFailure type the workflow chose (a machine code), if any. */
  type?: string;
  message: string;
}

// gRPC status codes (grpc-js `status`): DEADLINE_EXCEEDED 4, NOT_FOUND 5, ALREADY_EXISTS 6, UNAVAILABLE 14.
const DEADLINE_EXCEEDED = 4;
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const UNAVAILABLE = 14;

// An update sent to a closed workflow comes back as NOT_FOUND "workflow execution already
// completed" (the client rethrows it as WorkflowNotFoundError): the only place where the
// message, not the type, tells the two apart. Over the native connection the API uses
// (infra/temporal.ts connectNative), the client builds that error from the status's `details`,
// which the native client leaves empty, so a closed workflow reads as `not_found` there: every
// caller treats the two alike or falls back to a start that tells (api/routes/phone-turn.ts).
const CLOSED = /already completed/i;

function grpcCode(err: unknown): number | undefined {
  if (isGrpcServiceError(err)) return err.code;
  if (err instanceof ServiceError && isGrpcServiceError(err.cause)) return err.cause.code;
  return undefined;
}

export function classifyTemporalError(err: unknown): ClassifiedTemporalError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    return { kind: 'rejected', type: cause instanceof ApplicationFailure && cause.type ? cause.type : undefined, message: cause?.message ?? message };
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) return { kind: 'already_started', message };
  if (err instanceof WorkflowNotFoundError) return { kind: CLOSED.test(message) ? 'closed' : 'not_found', message };
  const code = grpcCode(err);
  if (code === NOT_FOUND) return { kind: CLOSED.test(message) ? 'closed' : 'not_found', message };
  if (code === ALREADY_EXISTS) return { kind: 'already_exists', message };
  if (code === UNAVAILABLE || code === DEADLINE_EXCEEDED) return { kind: 'unavailable', message };
  if (CLOSED.test(message)) return { kind: 'closed', message };
  return { kind: 'other', message };
}

/** The workflow cannot take the message: unknown, closed, or its validator refused it. */
export function isWorkflowGone(err: unknown): boolean {
  const { kind } = classifyTemporalError(err);
  return kind === 'not_found' || kind === 'closed' || kind === 'rejected';
}

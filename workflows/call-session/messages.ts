/**
 * The call-session workflow's public surface: its input, messages and their shapes.
 * A light module: the API imports it without pulling in workflow code. These names are
 * persisted in histories, so renaming one breaks replay.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export type SessionSource = 'api' | 'turn' | 'reset';
export type EndReason = 'end_session' | 'hangup' | 'stale' | 'superseded' | 'rejected' | 'auth_failed' | 'max_duration';

export interface CallSessionInput {
  sessionId: string;
  source: SessionSource;
  callerNumber: string;
  callDirection: '' | 'incoming' | 'outgoing';
  /** Seconds of inactivity after which the session ends with reason "stale". */
  sessionTtlSeconds: number;
}

export interface CallState {
  sessionId: string;
  status: 'active' | 'ending' | 'ended';
  source: SessionSource;
  callerNumber: string;
  callDirection: string;
  createdAt: number;
  lastActivityAt: number;
  endReason: EndReason | null;
}

export interface CallSessionResult {
  sessionId: string;
  endReason: EndReason;
}

export interface EndSessionRequest {
  reason: EndReason;
}

/** Waits until the session is recorded (database row + session.started), then answers its id. */
export const openSessionUpdate = defineUpdate<{ session_id: string }>('openSession');
/** Ends a live session; rejected by its validator when the session is already ending. */
export const endSessionUpdate = defineUpdate<{ ok: true; session_id: string }, [EndSessionRequest]>('endSession');
export const callStateQuery = defineQuery<CallState>('callState');

/** The session state's pure rules (I/O-free, so tested outside a workflow). */
import { CallSession } from '../../../workflows/call-session/state';

const session = () =>
  new CallSession({ sessionId: 's1', source: 'turn', callerNumber: '', callDirection: 'incoming', sessionTtlSeconds: 60 });

test('max duration: no deadline at 0; else created + max_duration_sec + 60 s', () => {
  const s = session();
  expect(s.maxDurationDeadline()).toBeNull();
  s.maxDurationSec = 120;
  expect(s.maxDurationDeadline()).toBe(s.createdAt + 180_000);
});

test('reset wipes the conversation and bumps the generation; the persisted sequence survives', () => {
  const s = session();
  s.history.push({ role: 'user', content: 'hi' });
  s.turnCount = 3;
  s.turnSeq = 3;
  s.authenticated = true;
  s.context = 'facts';
  s.reset();
  expect(s.history).toEqual([]);
  expect(s.turnCount).toBe(0);
  expect(s.turnSeq).toBe(3);
  expect(s.authenticated).toBe(false);
  expect(s.context).toBe('');
  expect(s.generation).toBe(1);
});

test('a compaction keeps the newest turns and summarises a batch of max_history_turns / 4 more', () => {
  const s = session();
  s.maxHistoryTurns = 8;
  expect(s.messagesKeptByCompaction()).toBe(12);
  s.maxHistoryTurns = 3;
  expect(s.messagesKeptByCompaction()).toBe(6);
});

test('compaction is due past 2 × max_history_turns messages, never during a turn', () => {
  const s = session();
  s.maxHistoryTurns = 1;
  s.history.push({ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' });
  expect(s.needsCompaction()).toBe(false);
  s.history.push({ role: 'user', content: 'c' });
  expect(s.needsCompaction()).toBe(true);
  s.turnInFlight = true;
  expect(s.needsCompaction()).toBe(false);
});

/** commitTurn against a real database: a retried commit answers what the first one stored. */
import { createTurnActivities } from '../../../activities/turn';
import { instantEngines } from '../../../bench/instant-engines';
import { createTestDb, type TestDb } from '../../support/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());

const activities = () => createTurnActivities({ db: t.db, config: { lookup: () => undefined }, engines: instantEngines() });
const openSession = (id: string, generation = 0) => t.db.callSession.create({ data: { id, workflowId: `wf-${id}`, generation } });

const commit = (acts: ReturnType<typeof createTurnActivities>, sessionId: string, turnId: string, reply: string) =>
  acts.commitTurn({
    sessionId,
    turnId,
    seq: 1,
    transcript: 'hello',
    reply,
    model: 'echo',
    replySource: 'llm',
    forced: false,
    metrics: { asr_ms: 1, llm_ms: 2, tts_ms: 3 },
    receivedAt: Date.now(),
    requestKey: null,
    audioBlobId: 'blob',
    callerNumber: '',
    keepHistory: false,
    history: [],
    summary: '',
    hangup: false,
    fence: 0,
  });

test('a retried commit returns the stored body and writes nothing twice', async () => {
  const acts = activities();
  await openSession('commit-retry');
  const first = await commit(acts, 'commit-retry', 'turn0000000000000000000000000001', 'first');
  expect(first.stale).toBeUndefined();
  expect(first.body).toMatchObject({ ok: true, reply: 'first', turn_id: 'turn0000000000000000000000000001' });
  const retried = await commit(acts, 'commit-retry', 'turn0000000000000000000000000001', 'second');
  expect(retried).toEqual({ body: first.body });
  expect(await t.db.turn.count({ where: { sessionId: 'commit-retry' } })).toBe(1);
  expect(await t.db.event.count({ where: { sessionId: 'commit-retry', type: 'turn.complete' } })).toBe(1);
});

test('a commit behind a reset is stale and stores nothing', async () => {
  await openSession('commit-stale', 1); // the API bumped the generation: the turn's fence (0) is old
  expect(await commit(activities(), 'commit-stale', 'turn0000000000000000000000000002', 'late')).toEqual({ body: {}, stale: true });
  expect(await t.db.turn.count({ where: { sessionId: 'commit-stale' } })).toBe(0);
});

test("a commit's rows read back through Prisma as its own: the turn, the session's projection, turn.complete (both databases)", async () => {
  await openSession('commit-rows');
  const before = Date.now();
  await commit(activities(), 'commit-rows', 'turn0000000000000000000000000003', 'stored reply');
  const turn = await t.db.turn.findUnique({ where: { id: 'turn0000000000000000000000000003' } });
  expect(turn).toMatchObject({ sessionId: 'commit-rows', seq: 1, transcript: 'hello', reply: 'stored reply', model: 'echo', replySource: 'llm', forcedReply: false, requestKey: null, audioBlobId: 'blob' });
  expect(JSON.parse(turn!.responseJson!)).toMatchObject({ reply: 'stored reply' });
  const session = await t.db.callSession.findUnique({ where: { id: 'commit-rows' } });
  expect(session!.turnCount).toBe(1);
  for (const at of [turn!.createdAt, session!.lastActiveAt, session!.updatedAt]) {
    expect(at.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(at.getTime()).toBeLessThanOrEqual(Date.now() + 5);
  }
  const complete = await t.db.event.findMany({ where: { sessionId: 'commit-rows', type: 'turn.complete' } });
  expect(complete).toHaveLength(1);
  expect(JSON.parse(complete[0].dataJson)).toMatchObject({ session_id: 'commit-rows' });
});

/**
 * The event hub's reads: a kick (a subscribe waits on one) is answered by one read that began
 * after it, even when every read takes longer than the poll interval, which is the usual case
 * on a loaded machine (the default interval is 20 ms).
 */
import { EventHub, type HubListener } from '../../../api/agents/hub';
import type { Db } from '../../../infra/db';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function slowLog(readMs: number) {
  const rows: Array<{ seq: number; type: string; sessionId: string; dataJson: string; createdAt: Date }> = [];
  const db = {
    event: {
      findFirst: async () => (rows.length ? { seq: rows[rows.length - 1].seq } : null),
      findMany: async ({ where }: { where: { seq: { gt: number } } }) => {
        const snapshot = rows.filter((r) => r.seq > where.seq.gt);
        await sleep(readMs);
        return snapshot;
      },
    },
    agentTurnRequest: { findFirst: async () => null, findMany: async () => [] },
  };
  const append = () => rows.push({ seq: rows.length + 1, type: 'turn.complete', sessionId: 's', dataJson: '{}', createdAt: new Date() });
  return { db: db as unknown as Db, append };
}

const listener = (seen: number[]): HubListener => ({ onEvent: (e) => seen.push(e.seq), onTurnRequest: () => undefined });

describe('EventHub', () => {
  let hub: EventHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  /** A started hub over a log whose reads take readMs, polled every 5 ms, with one listener. */
  async function started(readMs: number, seen: number[] = []) {
    const log = slowLog(readMs);
    hub = new EventHub(log.db, { databaseUrl: 'file:unused.db', eventPollMs: 5 });
    await hub.start();
    hub.add(listener(seen));
    return { log, hub, seen };
  }

  test('a kick resolves after one read that began after it, though each read outlasts the poll interval', async () => {
    const { log, hub, seen } = await started(30);
    await sleep(50); // the timer is reading back to back now
    log.append();
    const began = Date.now();
    await hub.kick();
    // At most the read in flight and the one after it (30 ms each), with room for a slow machine.
    expect(Date.now() - began).toBeLessThan(1_000);
    expect(hub.latestSeq).toBe(1);
    expect(seen).toEqual([1]);
  });

  test('events written meanwhile are delivered in order, once, by the timer alone', async () => {
    const { log, seen } = await started(2);
    for (let i = 0; i < 20; i += 1) {
      log.append();
      await sleep(3);
    }
    const deadline = Date.now() + 2_000;
    while (seen.length < 20 && Date.now() < deadline) await sleep(10);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  test('a kick after stop resolves at once', async () => {
    const { hub } = await started(30);
    const stopping = hub.stop();
    await hub.kick();
    await stopping;
  });
});

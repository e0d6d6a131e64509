/**
 * Parley's own writes to a run's memory (§5b): top-level keys set in one statement, in the
 * database, so the memory is never read into the process to be written back.
 *
 * Before, each write read the whole memory, parsed it, set its keys and wrote it back under a
 * version check. A declarative run writes `targets.<E.164>` once per target, so a 1,000-target
 * run rewrote a memory that grew to ~140 KB a thousand times from JavaScript: quadratic work on
 * the worker's main thread (docs/capacity.md). A single UPDATE is atomic, so a bot's concurrent
 * PUT still either lands before it (the keys are set on top of it) or after it (it replaces
 * them), as with the version check, and it never conflicts.
 */
import { type Db, isPostgresClient } from './db';
import { appendStreamEvent, type RunScope } from './mission-stream';

/** A transaction client (or the client itself). */
type Tx = Pick<Db, 'missionRun' | 'missionEvent' | '$queryRawUnsafe'>;


/**
 * Sets `entries` as top-level keys of the run's memory, bumps its version and logs
 * `memory_updated` on the run's stream. Answers the new version, or null when there is no such
 * run. `run` is the run's id, or its scope when the caller knows it (one read fewer).
 */
export async function setMemoryKeys(tx: Tx, run: string | RunScope, entries: Record<string, unknown>): Promise<number | null> {
  const runId = typeof run === 'string' ? run : run.id;
  const keys = Object.keys(entries);
  const now = new Date();
  let rows: Array<{ memoryVersion: number }>;
  if (isPostgresClient(tx)) {
    // jsonb `||` replaces the right side's top-level keys: exactly "set these keys".
    rows = await tx.$queryRawUnsafe(
      `UPDATE "MissionRun" SET "memoryJson" = ("memoryJson"::jsonb || $1::jsonb)::text, "memoryVersion" = "memoryVersion" + 1, "updatedAt" = $2 WHERE "id" = $3 RETURNING "memoryVersion"`,
      JSON.stringify(entries),
      now,
      runId,
    );
  } else {
    // SQLite's JSON paths quote a label as `$."label"` and cannot escape a quote in it. Parley's
    // keys (`targets.<E.164>`, `scheduled_events`, `error_<step>`, `result`) have none.
    for (const key of keys) if (key.includes('"')) throw new Error(`memory key ${JSON.stringify(key)} cannot be set in SQL`);
    const paths = keys.map(() => `?, json(?)`).join(', ');
    const args = keys.flatMap((key) => [`$."${key}"`, JSON.stringify(entries[key] ?? null)]);
    rows = await tx.$queryRawUnsafe(
      `UPDATE "MissionRun" SET "memoryJson" = json_set("memoryJson", ${paths}), "memoryVersion" = "memoryVersion" + 1, "updatedAt" = ? WHERE "id" = ? RETURNING "memoryVersion"`,
      ...args,
      now,
      runId,
    );
  }
  if (!rows[0]) return null;
  const version = Number(rows[0].memoryVersion);
  await appendStreamEvent(tx, run, 'memory_updated', { keys, version });
  return version;
}

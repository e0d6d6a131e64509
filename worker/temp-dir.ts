/**
 * The worker's temporary files (the local speech engines write their input WAVs there): one
 * directory per worker process, `parley-worker-<host>-<pid>`, and at start the removal of the
 * directories of this host's workers that are gone. A worker killed in the middle of a
 * recognition leaves its WAV behind; the next worker to start on the host deletes it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'parley-worker-';
/** Files engines wrote straight into the shared temp dir before per-worker directories. */
const LOOSE = /^parley-(asr|tts)-.*\.wav$/;
/** No engine keeps a file anywhere near this long (their own timeouts are seconds). */
const LOOSE_MAX_AGE_MS = 60 * 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what dead workers of this host left in `base`, then creates this process's own
 * directory (removed again when the process exits) and returns it with what was removed.
 */
export function claimTempDir(base = os.tmpdir(), host = os.hostname(), pid = process.pid): { dir: string; removed: string[] } {
  const mine = `${PREFIX}${host}-`;
  const removed: string[] = [];
  for (const entry of fs.readdirSync(base, { withFileTypes: true })) {
    const full = path.join(base, entry.name);
    if (entry.isDirectory() && entry.name.startsWith(mine)) {
      const owner = Number(entry.name.slice(mine.length));
      if (!Number.isInteger(owner) || owner === pid || alive(owner)) continue;
      fs.rmSync(full, { recursive: true, force: true });
      removed.push(full);
    } else if (entry.isFile() && LOOSE.test(entry.name)) {
      const age = Date.now() - fs.statSync(full).mtimeMs;
      if (age < LOOSE_MAX_AGE_MS) continue;
      fs.rmSync(full, { force: true });
      removed.push(full);
    }
  }
  const dir = path.join(base, `${mine}${pid}`);
  fs.mkdirSync(dir, { recursive: true });
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return { dir, removed };
}

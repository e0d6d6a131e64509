/** A worker cleans the temporary files of this host's dead workers at start, and only theirs. */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { claimTempDir } from '../../../worker/temp-dir';

test('dead workers’ directories and stale loose WAVs go; live workers, other hosts and fresh files stay', async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'temp-dir-test-'));
  const dead = spawnSync('true').pid!; // a pid that has exited
  const sleeper = spawn('sleep', ['30']);
  try {
    const make = (name: string) => {
      fs.mkdirSync(path.join(base, name));
      fs.writeFileSync(path.join(base, name, 'parley-asr-left.wav'), 'RIFF');
      return path.join(base, name);
    };
    const deadDir = make(`parley-worker-box-${dead}`);
    const liveDir = make(`parley-worker-box-${sleeper.pid}`);
    const otherHost = make(`parley-worker-elsewhere-${dead}`);
    const staleLoose = path.join(base, 'parley-asr-0000.wav');
    const freshLoose = path.join(base, 'parley-asr-1111.wav');
    fs.writeFileSync(staleLoose, 'RIFF');
    fs.writeFileSync(freshLoose, 'RIFF');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(staleLoose, twoHoursAgo, twoHoursAgo);

    const { dir, removed } = claimTempDir(base, 'box', process.pid);
    expect(removed.sort()).toEqual([deadDir, staleLoose].sort());
    expect(fs.existsSync(deadDir)).toBe(false);
    expect(fs.existsSync(staleLoose)).toBe(false);
    for (const kept of [liveDir, otherHost, freshLoose, dir]) expect(fs.existsSync(kept)).toBe(true);
    expect(dir).toBe(path.join(base, `parley-worker-box-${process.pid}`));
    // Its own directory is not someone else's leftover on a second look.
    expect(claimTempDir(base, 'box', process.pid).removed).toEqual([]);
  } finally {
    sleeper.kill();
    fs.rmSync(base, { recursive: true, force: true });
  }
});

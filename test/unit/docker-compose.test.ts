/**
 * docker-compose.yml is valid and complete: `config` resolves it (no Docker engine needed).
 * Uses the standalone docker-compose (v1 or v2) or the `docker compose` plugin, whichever is
 * installed; without either the tests are skipped, with a warning.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../support/paths';

interface Compose {
  command: string;
  prefix: string[];
}

function works(command: string, args: string[]): boolean {
  const res = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
  return !res.error && res.status === 0;
}

function findCompose(): Compose | null {
  if (works('docker-compose', ['version'])) return { command: 'docker-compose', prefix: [] };
  if (works('docker', ['compose', 'version'])) return { command: 'docker', prefix: ['compose'] };
  return null;
}

const compose = findCompose();
if (!compose) console.warn('docker-compose.yml tests skipped: neither `docker-compose` nor `docker compose` is installed');
const composeTest = compose ? test : test.skip;

const REQUIRED = { PARLEY_BEARER_TOKEN: 'compose-test-token', POSTGRES_PASSWORD: 'compose-test-password' };
// An empty env file, so a developer's .env next to docker-compose.yml cannot change the result.
let envFile: string;
beforeAll(() => {
  envFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'parley-compose-')), 'empty.env');
  fs.writeFileSync(envFile, '');
});
afterAll(() => {
  if (envFile) fs.rmSync(path.dirname(envFile), { recursive: true, force: true });
});

function runCompose(args: string[], env: Record<string, string>): SpawnSyncReturns<string> {
  const base = { ...process.env };
  for (const key of Object.keys(REQUIRED)) delete base[key];
  return spawnSync(compose!.command, [...compose!.prefix, '--env-file', envFile, '-f', path.join(ROOT, 'docker-compose.yml'), ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('docker-compose.yml', () => {
  composeTest('`config -q` accepts it when the required variables are set', () => {
    const res = runCompose(['config', '-q'], REQUIRED);
    expect(res.error).toBeUndefined();
    // Compared together so a failure shows compose's complaint.
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  });

  composeTest('defines every service', () => {
    const services = runCompose(['config', '--services'], REQUIRED);
    expect(services.status).toBe(0);
    expect(services.stdout.split('\n').filter(Boolean).sort()).toEqual(['api', 'migrate', 'postgresql', 'temporal', 'temporal-ui', 'worker']);

    const full = runCompose(['config'], REQUIRED);
    expect(full.status).toBe(0);
    for (const name of ['api', 'worker', 'temporal', 'temporal-ui', 'postgresql', 'migrate']) {
      expect(full.stdout).toMatch(new RegExp(`^  ${name}:`, 'm'));
    }
    // api and worker wait for the one-shot migration; Parley uses its own database.
    expect(full.stdout).toContain('service_completed_successfully');
    expect(full.stdout).toContain('postgresql://parley:compose-test-password@postgresql:5432/parley');
  });

  composeTest.each(Object.keys(REQUIRED))('refuses to resolve without %s', (missing) => {
    const env: Record<string, string> = { ...REQUIRED };
    delete env[missing];
    const res = runCompose(['config', '-q'], env);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain(`set ${missing}`);
  });
});

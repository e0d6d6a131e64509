/**
 * One Temporal dev server and one workflow bundle for the whole run. The server is the real
 * CLI dev server, started through the SDK's TestWorkflowEnvironment with the project's CLI
 * (`existing-path`), or the SDK's own download on a connected machine without one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES } from '../../common/search-attributes';
import { temporalCliPath } from '../../infra/dev-server';
import { testPort } from './ports';
import { ensureEmbeddedLlm, ensurePocketsphinx, ensureWhisper } from '../../infra/models/embedded';
import { BUNDLE_PATH, TMP_DIR } from './paths';

export default async function globalSetup(): Promise<void> {
  fs.mkdirSync(TMP_DIR, { recursive: true });
  // The embedded engines' models, fetched once here rather than raced for by parallel test files.
  const log = (msg: string) => process.stdout.write(`[models] ${msg}\n`);
  await ensureEmbeddedLlm(log);
  await ensureWhisper(log).catch((err: Error) => log(`Whisper unavailable, its tests will say why: ${err.message}`));
  await ensurePocketsphinx(log).catch((err: Error) => log(`PocketSphinx 5 unavailable, its tests will say why: ${err.message}`));
  if (!process.env.TEMPORAL_ADDRESS) {
    const cli = temporalCliPath();
    const port = await testPort();
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
        ip: '127.0.0.1',
        port,
        ui: false,
        searchAttributes: [...SEARCH_ATTRIBUTES],
        log: { format: 'pretty', level: 'warn' },
      },
    });
    (globalThis as Record<string, unknown>).__parleyTestEnv = env;
    process.env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
  }
  const { code } = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '../../workflows'), logger: quietLogger });
  fs.writeFileSync(BUNDLE_PATH, code);
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

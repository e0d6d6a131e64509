/**
 * A real Chromium (Debian's `chromium`, driven by playwright-core) for the dashboard tests.
 * `findChromium()` is null where no Chromium is installed: the browser suite is then skipped with
 * one line, unless CI is set, where it is required.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

const CANDIDATES = [process.env.PARLEY_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => !!p);

export function findChromium(): string | null {
  return CANDIDATES.find((p) => fs.existsSync(p)) ?? null;
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A browser on a fresh profile (its own --user-data-dir): nothing carries over between sessions.
 * `extraArgs` are more Chromium switches (e.g. --host-resolver-rules to reach the app by a name).
 */
export async function openBrowser(executablePath: string, extraArgs: string[] = []): Promise<BrowserSession> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-chromium-'));
  const context = await chromium.launchPersistentContext(dir, { executablePath, headless: true, args: [...FLAGS, ...extraArgs], viewport: { width: 1366, height: 800 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

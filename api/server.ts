/** The API process: validate config, connect, listen, and close cleanly on SIGINT/SIGTERM. */
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../infra/config';
import { createDb, prepareDb } from '../infra/db';
import { createLogger } from '../infra/log';
import { connectNative, ensureSearchAttributes } from '../infra/temporal';
import { buildApp } from './app';
import { createTelephony } from './telephony';

async function connectWithRetry(address: string, log: ReturnType<typeof createLogger>): Promise<NativeConnection> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await connectNative(address);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`cannot reach Temporal at ${address}: ${(err as Error).message}`);
      log.warn({ address }, 'Temporal not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('api', config.logLevel);
  const db = createDb(config.databaseUrl);
  await prepareDb(db, config.databaseUrl);
  const connection = await connectWithRetry(config.temporalAddress, log);
  await ensureSearchAttributes(connection, config.temporalNamespace);
  // Loaded only when an OTLP endpoint is configured: without one, no OpenTelemetry code runs.
  const tracing = config.otlpTracesUrl ? (await import('../infra/tracing')).startTracing(config.otlpTracesUrl, 'parley-api') : undefined;
  if (tracing) log.info({ url: config.otlpTracesUrl }, 'exporting traces over OTLP/HTTP');
  const temporal = new Client({ connection, namespace: config.temporalNamespace, interceptors: tracing?.clientInterceptors });
  const telephony = createTelephony(config, log);
  const app = await buildApp({ config, db, temporal, telephony }, { loggerInstance: log });
  app.addHook('onClose', async () => telephony.close?.());
  await app.listen({ host: config.host, port: config.port });
  log.info(`API listening on http://${config.host}:${config.port}`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'API shutting down');
    await app.close();
    await tracing?.shutdown();
    await connection.close();
    await db.$disconnect();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});

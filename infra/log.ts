/** Structured logs (pino), one logger per process, named after it. */
import pino from 'pino';
import type { Config } from './config';

export function createLogger(name: string, level: Config['logLevel']) {
  return pino({ name, level, redact: ['req.headers.authorization', 'token'] });
}

export type Logger = ReturnType<typeof createLogger>;

/** Structured logs (pino), one logger per process, named after it. */
import pino from 'pino';
import type { Config } from './config';

/** A URL with any `token=` query value replaced: WebSocket clients may pass `?token=`. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[REDACTED]');
}
const redactAny = (url: unknown) => (typeof url === 'string' ? redactUrl(url) : url);

export function createLogger(name: string, level: Config['logLevel'], destination?: pino.DestinationStream) {
  return pino(
    {
      name,
      level,
      redact: ['req.headers.authorization', 'token'],
      // Headers are never serialised; fastify's request serializer would log req.url
      // verbatim, so this one takes its place.
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, url: redactAny(req.url), remoteAddress: req.ip }),
        url: redactAny,
      },
    },
    destination,
  );
}

export type Logger = ReturnType<typeof createLogger>;

/**
 * What the API is built from, and the names under which the services plugin
 * (api/plugins/services.ts) decorates the fastify instance with it.
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import type { RuntimeSettingsService } from '../infra/runtime-settings';
import type { SpeechConfig } from '../infra/speech-config';
import type { SpeechEngines } from '../infra/speech';
import type { TelephonyDriver } from '../infra/telephony/driver';
import type { SendBufferLimits } from './paced-socket';

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  startedAt?: number;
  /** Dial/hangup driver (sim or adb); absent = the call-control routes are not served. */
  telephony?: TelephonyDriver;
  /** Speech engines for the API's own uses (/api/asr, /health); tests inject instant ones. */
  engines?: (speech: SpeechConfig) => SpeechEngines;
  /** Each WebSocket's send buffer (api/paced-socket.ts); default DEFAULT_SEND_BUFFER. */
  sendBuffer?: SendBufferLimits;
  /** Runtime settings; default: a cache of this process's own over `db`. A test running the worker in the same process shares one. */
  runtimeSettings?: RuntimeSettingsService;
}

/** The agent plane's live counts that /api/status reports (api/agents/plane.ts). */
export interface AgentHubView {
  uiSubscriberCount(): number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Boot config, validated once (infra/config.ts). */
    config: Config;
    db: Db;
    temporal: Client;
    /** The operator's runtime settings, cached briefly (infra/runtime-settings.ts). */
    runtimeSettings: RuntimeSettingsService;
    /** Undefined when no driver is configured: the call-control routes are then not served. */
    telephony: TelephonyDriver | undefined;
    /** Builds speech engines for runtime speech settings. */
    speechEngines: (speech: SpeechConfig) => SpeechEngines;
    /** When this process started (ms since epoch), for `uptime_s`. */
    startedAt: number;
  }
}

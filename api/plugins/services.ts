/**
 * The shared services every surface uses, as named decorators on the root instance: `config`,
 * `db`, `temporal`, `runtimeSettings`, `telephony`, `speechEngines`, `startedAt` (declared in api/deps.ts). The
 * plugin owns none of them: whoever built them (api/server.ts, a test) closes them.
 */
import fp from 'fastify-plugin';
import { createRuntimeSettings } from '../../infra/runtime-settings';
import { createSpeechEngines } from '../../infra/speech';
import type { AppDeps } from '../deps';

export const servicesPlugin = fp<AppDeps>(
  async (app, deps) => {
    app.decorate('config', deps.config);
    app.decorate('db', deps.db);
    app.decorate('temporal', deps.temporal);
    app.decorate('runtimeSettings', deps.runtimeSettings ?? createRuntimeSettings(deps.db, deps.config));
    app.decorate('telephony', deps.telephony);
    app.decorate('speechEngines', deps.engines ?? createSpeechEngines);
    app.decorate('startedAt', deps.startedAt ?? Date.now());
  },
  { name: 'parley-services', fastify: '5.x' },
);

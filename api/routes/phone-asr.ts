/** POST /api/asr (contract §2.1): transcription only: no session, no events. */
import type { FastifyPluginAsync } from 'fastify';
import { createSpeechEngines } from '../../infra/speech';
import { loadRuntimeSettings } from '../../infra/settings';
import type { AppDeps } from '../app';
import { readTurnForm } from '../turn-form';

export const phoneAsrRoutes: FastifyPluginAsync<AppDeps> = async (app, { db, config, engines = createSpeechEngines }) => {
  app.post('/api/asr', async (req, reply) => {
    const { audio } = await readTurnForm(req);
    if (!audio) return reply.code(400).send({ detail: 'ASR failed: audio required' });
    try {
      const settings = await loadRuntimeSettings(db, config);
      const { transcript, ms } = await engines(settings.speech).transcribe(audio);
      return { transcript, asr_ms: ms };
    } catch (err) {
      return reply.code(400).send({ detail: `ASR failed: ${(err as Error).message}` });
    }
  });
};

/** POST /api/asr (contract §2.1): transcription only: no session, no events. */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { badRequest } from '../errors';
import { errors } from '../schemas/gateway';
import { readTurnForm } from '../turn-form';

const schema = {
  tags: ['phone'],
  summary: 'Transcribe one WAV',
  consumes: ['multipart/form-data'],
  body: { content: { 'multipart/form-data': { schema: Type.Object({ audio: Type.String({ format: 'binary', description: 'WAV to transcribe' }) }) } } },
  response: { 200: Type.Object({ transcript: Type.String(), asr_ms: Type.Number() }), ...errors(400, 413) },
};

export const phoneAsrRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post('/api/asr', { schema }, async (req) => {
    const { audio } = await readTurnForm(req);
    if (!audio) throw badRequest('ASR failed: audio required');
    try {
      const settings = await app.runtimeSettings.current();
      const { transcript, ms } = await app.speechEngines(settings.speech).transcribe(audio);
      return { transcript, asr_ms: ms };
    } catch (err) {
      throw badRequest(`ASR failed: ${(err as Error).message}`);
    }
  });
};

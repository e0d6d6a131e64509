/** Reads the phone's multipart /api/turn (or /api/asr) request into fields and audio bytes. */
import type { FastifyRequest } from 'fastify';

export interface TurnForm {
  fields: Record<string, string>;
  audio: Buffer | null;
}

export const MAX_AUDIO_BYTES = 20 * 1024 * 1024;

export async function readTurnForm(req: FastifyRequest): Promise<TurnForm> {
  const fields: Record<string, string> = {};
  let audio: Buffer | null = null;
  if (req.isMultipart()) {
    for await (const part of req.parts({ limits: { fileSize: MAX_AUDIO_BYTES, fields: 50 } })) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (part.fieldname === 'audio') audio = bytes;
      } else {
        fields[part.fieldname] = String(part.value ?? '');
      }
    }
  } else if (req.body && typeof req.body === 'object') {
    for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) if (v !== undefined && v !== null) fields[k] = String(v);
  }
  return { fields, audio: audio && audio.length > 0 ? audio : null };
}

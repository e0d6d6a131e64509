/**
 * Reads the phone's /api/turn (or /api/asr) request into fields and audio bytes: multipart as
 * the app sends it, or a JSON/urlencoded body (validated by the route schema). Malformed
 * multipart is the client's 400 and oversized fields its 413, never a 500.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError, badRequest, tooLarge } from './errors';
import { LIMITS } from './schemas/gateway';

export interface TurnForm {
  fields: Record<string, string>;
  audio: Buffer | null;
}

export const MAX_AUDIO_BYTES = 20 * 1024 * 1024;

/** The longest value each known field may carry (other fields are bounded by the part size). */
export const TURN_FIELD_LIMITS: Record<string, number> = {
  forced_reply: LIMITS.speech,
  transcript_hint: LIMITS.hint,
  caller_number: LIMITS.number,
  session_id: LIMITS.short,
  request_id: LIMITS.short,
  call_direction: LIMITS.short,
};

function checkField(name: string, value: string): void {
  const max = Object.hasOwn(TURN_FIELD_LIMITS, name) ? TURN_FIELD_LIMITS[name] : Infinity;
  if (value.length > max) throw tooLarge(`${name} must be at most ${max} characters`, `/${name}`);
}

async function readMultipart(req: FastifyRequest, fields: Record<string, string>): Promise<Buffer | null> {
  let audio: Buffer | null = null;
  // fieldSize is the byte cap of one text part: above every field's character cap (4 bytes a
  // character at most), so a truncated value is always an oversized one.
  for await (const part of req.parts({ limits: { fileSize: MAX_AUDIO_BYTES, fields: 50, files: 5, fieldSize: LIMITS.speech * 4 + 1, headerPairs: 50 } })) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (part.fieldname === 'audio') audio = bytes;
    } else {
      if (part.valueTruncated) throw tooLarge(`${part.fieldname} is too long`, `/${part.fieldname}`);
      const value = String(part.value ?? '');
      checkField(part.fieldname, value);
      fields[part.fieldname] = value;
    }
  }
  return audio;
}

export async function readTurnForm(req: FastifyRequest): Promise<TurnForm> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  let audio: Buffer | null = null;
  if (req.isMultipart()) {
    try {
      audio = await readMultipart(req, fields);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 413) throw tooLarge(`multipart body too large: ${(err as Error).message}`);
      // busboy's own errors (no boundary, unterminated body, endless part headers) have no status.
      throw badRequest(`malformed multipart body: ${(err as Error).message}`);
    }
  } else if (req.body && typeof req.body === 'object') {
    for (const [k, v] of Object.entries(req.body as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      const value = typeof v === 'object' ? JSON.stringify(v) : String(v);
      checkField(k, value);
      fields[k] = value;
    }
  }
  return { fields, audio: audio && audio.length > 0 ? audio : null };
}

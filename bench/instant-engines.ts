/**
 * Instant in-process speech engines: no model, no network. They exist to measure what Parley
 * itself costs (the benchmark) and to test the pipeline's logic; they are never used to serve
 * calls. The transcript is read from the audio's RIFF "LIST/INFO" note if present, else "".
 */
import type { SpeechEngines } from '../infra/speech';
import { silenceWav } from '../infra/speech/wav';

const SILENCE = silenceWav(100, 16000);

/** Hides a transcript in a WAV so the instant ASR can "hear" it: appended after the data chunk. */
export function wavSaying(text: string): Buffer {
  const note = Buffer.from(text, 'utf8');
  const chunk = Buffer.alloc(8);
  chunk.write('note', 0, 'ascii');
  chunk.writeUInt32LE(note.length, 4);
  const padded = note.length % 2 ? Buffer.concat([note, Buffer.alloc(1)]) : note;
  const wav = Buffer.concat([SILENCE, chunk, padded]);
  wav.writeUInt32LE(wav.length - 8, 4); // RIFF size
  return wav;
}

function noteOf(wav: Buffer): string {
  const at = wav.indexOf('note', 44, 'ascii');
  if (at < 0) return '';
  const len = wav.readUInt32LE(at + 4);
  return wav.subarray(at + 8, at + 8 + len).toString('utf8');
}

export interface InstantEngineOptions {
  /** The reply for a transcript; default "You said: <transcript>". */
  reply?: (lastUser: string, messages: Array<{ role: string; content: string }>) => string;
  /** Every chat request, for assertions. */
  chats?: Array<Array<{ role: string; content: string }>>;
  transcriptions?: { count: number };
  fail?: { asr?: boolean; llm?: boolean; tts?: boolean };
}

export function instantEngines(opts: InstantEngineOptions = {}) {
  return (_speech?: unknown): SpeechEngines => ({
    async transcribe(wav: Buffer) {
      if (opts.fail?.asr) throw new Error('instant ASR told to fail');
      if (opts.transcriptions) opts.transcriptions.count += 1;
      return { transcript: noteOf(wav), ms: 0 };
    },
    async complete(messages) {
      if (opts.fail?.llm) throw new Error('instant LLM told to fail');
      opts.chats?.push(messages as never);
      const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      return { reply: opts.reply ? opts.reply(last, messages as never) : `You said: ${last}`, model: 'instant-test-model', ms: 0 };
    },
    async synthesize() {
      if (opts.fail?.tts) throw new Error('instant TTS told to fail');
      return { wav: SILENCE, ms: 0 };
    },
    describe: () => {
      const d = { engine: 'instant', model: 'instant', base_url: '', has_api_key: false };
      return { asr: d, llm: d, tts: d };
    },
  });
}

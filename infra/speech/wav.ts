/**
 * WAV helpers for the voice pipeline. The phone sends RIFF PCM16 mono (contract §2.2) and
 * must get RIFF PCM16 mono back (§2.3); providers may answer stereo, float or with the
 * "unknown length" sizes that streaming writers (espeak-ng --stdout) put in the header.
 */
import os from 'node:os';

export class WavError extends Error {
  override readonly name = 'WavError';
}

export interface WavInfo {
  /** 1 = integer PCM, 3 = IEEE float (WAVE_FORMAT_EXTENSIBLE is resolved to one of them). */
  format: 1 | 3;
  channels: 1 | 2;
  sampleRate: number;
  bitsPerSample: 16 | 32;
  dataOffset: number;
  /** Bytes of sample data actually present (a header size past the end is clamped). */
  dataLength: number;
}

/** Pcm16 samples of one channel. */
export interface MonoAudio {
  samples: Int16Array;
  sampleRate: number;
}

const MIN_RATE = 8000;
const MAX_RATE = 96000;

/** Reads and validates the header: RIFF/WAVE, PCM16 or float32, mono or stereo, 8–96 kHz. */
export function parseWav(buf: Buffer): WavInfo {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavError('not a RIFF/WAVE file');
  }
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataLength'> | null = null;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      fmt = readFmt(buf, body, size);
    } else if (id === 'data') {
      if (!fmt) throw new WavError('data chunk before fmt chunk');
      const blockAlign = fmt.channels * (fmt.bitsPerSample / 8);
      const available = Math.min(size, buf.length - body);
      return { ...fmt, dataOffset: body, dataLength: available - (available % blockAlign) };
    }
    pos = body + size + (size % 2);
  }
  throw new WavError(fmt ? 'no data chunk' : 'no fmt chunk');
}

function readFmt(buf: Buffer, at: number, size: number): Omit<WavInfo, 'dataOffset' | 'dataLength'> {
  if (size < 16 || at + 16 > buf.length) throw new WavError('truncated fmt chunk');
  let format = buf.readUInt16LE(at);
  const channels = buf.readUInt16LE(at + 2);
  const sampleRate = buf.readUInt32LE(at + 4);
  const bitsPerSample = buf.readUInt16LE(at + 14);
  if (format === 0xfffe && size >= 26 && at + 26 <= buf.length) format = buf.readUInt16LE(at + 24);
  const encoding = `${format}/${bitsPerSample}`;
  if (encoding !== '1/16' && encoding !== '3/32') {
    throw new WavError(`unsupported encoding (format ${format}, ${bitsPerSample} bits): PCM16 or float32 expected`);
  }
  if (channels !== 1 && channels !== 2) throw new WavError(`${channels} channels: mono or stereo expected`);
  if (sampleRate < MIN_RATE || sampleRate > MAX_RATE) {
    throw new WavError(`sample rate ${sampleRate} Hz outside ${MIN_RATE}–${MAX_RATE} Hz`);
  }
  return { format: format as 1 | 3, channels, sampleRate, bitsPerSample: bitsPerSample as 16 | 32 };
}

/** True for a well-formed RIFF PCM16 mono file (any supported rate). */
export function isRiffPcm16Mono(buf: Buffer): boolean {
  try {
    const info = parseWav(buf);
    return info.format === 1 && info.channels === 1;
  } catch {
    return false;
  }
}

/** Decodes to PCM16 mono, averaging stereo channels. */
export function decodeMono(buf: Buffer): MonoAudio {
  const info = parseWav(buf);
  const bytes = info.bitsPerSample / 8;
  const frames = info.dataLength / (bytes * info.channels);
  const samples = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < info.channels; c++) {
      const at = info.dataOffset + (i * info.channels + c) * bytes;
      sum += info.format === 1 ? buf.readInt16LE(at) : floatToInt16(buf.readFloatLE(at));
    }
    samples[i] = Math.round(sum / info.channels);
  }
  return { samples, sampleRate: info.sampleRate };
}

function floatToInt16(x: number): number {
  return clamp16(Math.round(x * 32767));
}

function clamp16(x: number): number {
  return x > 32767 ? 32767 : x < -32768 ? -32768 : x;
}

const LITTLE_ENDIAN = os.endianness() === 'LE';

/** A canonical 44-byte-header RIFF PCM16 mono file. */
export function encodeWav({ samples, sampleRate }: MonoAudio): Buffer {
  const dataLength = samples.length * 2;
  const out = Buffer.alloc(44 + dataLength);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataLength, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataLength, 40);
  // PCM16 is little-endian, as the samples are in memory on a little-endian host: one copy.
  if (LITTLE_ENDIAN) out.set(new Uint8Array(samples.buffer, samples.byteOffset, dataLength), 44);
  else for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i], 44 + i * 2);
  return out;
}

/**
 * Any supported WAV → canonical PCM16 mono, resampled to `sampleRate` when given.
 * A file that already fits is returned as is.
 */
export function toPcm16Mono(wav: Buffer, sampleRate?: number): Buffer {
  const info = parseWav(wav);
  const canonical = info.dataOffset === 44 && info.dataLength === wav.length - 44 && wav.readUInt32LE(40) === info.dataLength;
  if (info.format === 1 && info.channels === 1 && canonical && (sampleRate === undefined || sampleRate === info.sampleRate)) {
    return wav;
  }
  const mono = decodeMono(wav);
  const rate = sampleRate ?? mono.sampleRate;
  return encodeWav({ samples: resample(mono.samples, mono.sampleRate, rate), sampleRate: rate });
}

/** Zero crossings of the windowed-sinc kernel on each side (at the lower of the two rates). */
const KERNEL_ZEROS = 16;
/** Kernel table points per input sample; linear interpolation between them. */
const TABLE_STEPS = 128;

/**
 * Band-limited resampling (Hann-windowed sinc). Downsampling low-passes below the new Nyquist
 * frequency first; plain interpolation would alias the 8–11 kHz of a 22 kHz TTS voice into
 * the band pocketsphinx listens to. The kernel is tabulated once per call: it runs on every
 * local-ASR turn, and per-tap trigonometry made it 4× slower.
 */
export function resample(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return samples;
  const ratio = to / from;
  const cutoff = Math.min(1, ratio) * 0.95;
  const half = KERNEL_ZEROS / cutoff;
  const table = new Float64Array(Math.ceil(half * TABLE_STEPS) + 2);
  for (let k = 0; k < table.length; k++) {
    const d = k / TABLE_STEPS;
    if (d >= half) break;
    const x = Math.PI * cutoff * d;
    const sinc = x === 0 ? 1 : Math.sin(x) / x;
    table[k] = sinc * (0.5 + 0.5 * Math.cos((Math.PI * d) / half)) * cutoff;
  }
  const out = new Int16Array(Math.floor(samples.length * ratio));
  for (let i = 0; i < out.length; i++) {
    const t = i / ratio;
    const first = Math.max(0, Math.ceil(t - half));
    const last = Math.min(samples.length - 1, Math.floor(t + half));
    let acc = 0;
    for (let j = first; j <= last; j++) {
      const pos = Math.abs(t - j) * TABLE_STEPS;
      const k = Math.floor(pos);
      acc += samples[j] * (table[k] + (table[k + 1] - table[k]) * (pos - k));
    }
    out[i] = clamp16(Math.round(acc));
  }
  return out;
}

/** `ms` of digital silence as PCM16 mono (the phone's own silence is 16 kHz, 300 ms). */
export function silenceWav(ms: number, sampleRate = 16000): Buffer {
  return encodeWav({ samples: new Int16Array(Math.round((ms * sampleRate) / 1000)), sampleRate });
}

/** Playing time of a supported WAV file. */
export function wavDurationMs(wav: Buffer): number {
  const info = parseWav(wav);
  return (info.dataLength / (info.channels * (info.bitsPerSample / 8)) / info.sampleRate) * 1000;
}

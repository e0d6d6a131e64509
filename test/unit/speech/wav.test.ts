import {
  decodeMono,
  encodeWav,
  isRiffPcm16Mono,
  parseWav,
  resample,
  silenceWav,
  toPcm16Mono,
  WavError,
  wavDurationMs,
} from '../../../infra/speech/wav';

/** A hand-built WAV with any header values, for the cases encodeWav never writes. */
function rawWav(opts: { format?: number; channels?: number; rate?: number; bits?: number; data: Buffer; dataSize?: number }): Buffer {
  const { format = 1, channels = 1, rate = 16000, bits = 16, data } = opts;
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(format, 20);
  head.writeUInt16LE(channels, 22);
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE((rate * channels * bits) / 8, 28);
  head.writeUInt16LE((channels * bits) / 8, 32);
  head.writeUInt16LE(bits, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(opts.dataSize ?? data.length, 40);
  return Buffer.concat([head, data]);
}

function int16(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}

function sine(freq: number, rate: number, seconds: number): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(10000 * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

function rms(samples: Int16Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / (to - from));
}

describe('wav helpers', () => {
  it('encodes and parses a canonical PCM16 mono file', () => {
    const wav = encodeWav({ samples: Int16Array.from([0, 1000, -1000, 32767]), sampleRate: 24000 });
    expect(wav.length).toBe(44 + 8);
    expect(parseWav(wav)).toEqual({ format: 1, channels: 1, sampleRate: 24000, bitsPerSample: 16, dataOffset: 44, dataLength: 8 });
    expect(Array.from(decodeMono(wav).samples)).toEqual([0, 1000, -1000, 32767]);
    expect(isRiffPcm16Mono(wav)).toBe(true);
    // Little-endian on the wire whatever the samples' view: a subarray starts at its own offset.
    expect([...wav.subarray(44)]).toEqual([0x00, 0x00, 0xe8, 0x03, 0x18, 0xfc, 0xff, 0x7f]);
    const view = Int16Array.from([7, -2, 258]).subarray(1);
    expect([...encodeWav({ samples: view, sampleRate: 8000 }).subarray(44)]).toEqual([0xfe, 0xff, 0x02, 0x01]);
  });

  it('rejects what the pipeline cannot use', () => {
    expect(() => parseWav(Buffer.from('ID3 not a wav at all'))).toThrow(WavError);
    expect(() => parseWav(rawWav({ bits: 8, data: Buffer.alloc(4) }))).toThrow(/unsupported encoding/);
    expect(() => parseWav(rawWav({ channels: 3, data: Buffer.alloc(12) }))).toThrow(/3 channels/);
    expect(() => parseWav(rawWav({ rate: 4000, data: Buffer.alloc(4) }))).toThrow(/sample rate 4000/);
    expect(() => parseWav(rawWav({ data: Buffer.alloc(4) }).subarray(0, 36))).toThrow(/no data chunk/);
    expect(isRiffPcm16Mono(rawWav({ channels: 2, data: Buffer.alloc(8) }))).toBe(false);
    expect(isRiffPcm16Mono(Buffer.alloc(0))).toBe(false);
  });

  it('clamps the placeholder data size that streaming writers leave in the header', () => {
    const wav = rawWav({ data: int16([1, 2, 3]), dataSize: 0x7ffff000 });
    expect(parseWav(wav).dataLength).toBe(6);
    const fixed = toPcm16Mono(wav);
    expect(fixed.readUInt32LE(40)).toBe(6);
    expect(fixed.readUInt32LE(4)).toBe(36 + 6);
  });

  it('downmixes stereo and converts float32 to PCM16 mono', () => {
    const stereo = rawWav({ channels: 2, data: int16([1000, 3000, -2000, -4000]) });
    const mono = toPcm16Mono(stereo);
    expect(isRiffPcm16Mono(mono)).toBe(true);
    expect(Array.from(decodeMono(mono).samples)).toEqual([2000, -3000]);

    const floats = Buffer.alloc(8);
    floats.writeFloatLE(0.5, 0);
    floats.writeFloatLE(-1.5, 4);
    const fromFloat = toPcm16Mono(rawWav({ format: 3, bits: 32, data: floats }));
    expect(Array.from(decodeMono(fromFloat).samples)).toEqual([16384, -32768]);
  });

  it('returns a file that already fits unchanged', () => {
    const wav = silenceWav(100, 16000);
    expect(toPcm16Mono(wav)).toBe(wav);
    expect(toPcm16Mono(wav, 16000)).toBe(wav);
  });

  it('resamples to the requested rate, keeping the tone and filtering what cannot be represented', () => {
    const tone = encodeWav({ samples: sine(440, 22050, 1), sampleRate: 22050 });
    const down = decodeMono(toPcm16Mono(tone, 16000));
    expect(down.sampleRate).toBe(16000);
    expect(down.samples.length).toBe(16000);
    // Away from the edges a 440 Hz tone keeps its level (10000 peak → ~7071 RMS).
    expect(rms(down.samples, 1000, 15000)).toBeGreaterThan(6800);
    expect(rms(down.samples, 1000, 15000)).toBeLessThan(7300);

    // 10 kHz is above the new Nyquist frequency (8 kHz): it must not fold back into the band.
    const high = resample(sine(10000, 22050, 1), 22050, 16000);
    expect(rms(high, 1000, 15000)).toBeLessThan(200);

    const up = resample(sine(440, 8000, 0.5), 8000, 24000);
    expect(up.length).toBe(12000);
    expect(rms(up, 1000, 11000)).toBeGreaterThan(6800);
  });

  it('makes silence of the asked length', () => {
    const wav = silenceWav(300);
    expect(isRiffPcm16Mono(wav)).toBe(true);
    expect(parseWav(wav).sampleRate).toBe(16000);
    expect(wavDurationMs(wav)).toBe(300);
    expect(decodeMono(wav).samples.every((s) => s === 0)).toBe(true);
  });
});

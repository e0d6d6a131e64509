import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEspeakWasm } from '../../../infra/speech/espeak-wasm';
import { createPocketsphinx } from '../../../infra/speech/pocketsphinx';
import { decodeMono, resample, silenceWav } from '../../../infra/speech/wav';
import { describeWithBinary } from '../../support/binaries';

function stereoHeader(rate: number, dataLength: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataLength, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(2, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 4, 28);
  h.writeUInt16LE(4, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataLength, 40);
  return h;
}

/** A fresh folder for the recogniser's input file, so a leftover is easy to see. */
function emptyTmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'parley-asr-test-'));
}

describeWithBinary('pocketsphinx_continuous', 'pocketsphinx ASR (the Debian program)', () => {
  const espeak = createEspeakWasm();
  const pocketsphinx = createPocketsphinx();

  // pocketsphinx's US English model hears espeak-ng's voice poorly: "hello world" comes back
  // as "oh well". "How are you doing" is one phrase it gets right from 16 kHz up (at 8 kHz,
  // narrowband like a phone line, it hears "ah you know").
  it('transcribes what espeak-ng said (22.05 kHz in, resampled to 16 kHz)', async () => {
    const wav = await espeak.speak('How are you doing?', 'en', 1);
    const transcript = await pocketsphinx.transcribe(wav);
    expect(transcript).toContain('how are you');
  });

  it('takes stereo 24 kHz audio (the app records at 24 kHz)', async () => {
    const mono = decodeMono(await espeak.speak('How are you doing?', 'en', 1));
    const samples = resample(mono.samples, mono.sampleRate, 24000);
    const pcm = Buffer.alloc(samples.length * 4);
    samples.forEach((v, i) => {
      pcm.writeInt16LE(v, i * 4);
      pcm.writeInt16LE(v, i * 4 + 2);
    });
    const stereo = Buffer.concat([stereoHeader(24000, pcm.length), pcm]);
    expect(await pocketsphinx.transcribe(stereo)).toContain('how are you');
  });

  it('returns "" for silence and leaves no temp file behind', async () => {
    const tmpDir = emptyTmpDir();
    expect(await createPocketsphinx({ tmpDir }).transcribe(silenceWav(300, 16000))).toBe('');
    expect(fs.readdirSync(tmpDir)).toEqual([]);
    fs.rmdirSync(tmpDir);
  });

  it('says clearly when the binary is missing, and still cleans up', async () => {
    const tmpDir = emptyTmpDir();
    const missing = createPocketsphinx({ binary: '/nonexistent/pocketsphinx_continuous', tmpDir });
    await expect(missing.transcribe(silenceWav(300))).rejects.toMatchObject({
      message: '/nonexistent/pocketsphinx_continuous not found: install the Debian packages pocketsphinx and pocketsphinx-en-us',
      retryable: false,
    });
    expect(fs.readdirSync(tmpDir)).toEqual([]);
    fs.rmdirSync(tmpDir);
  });
});

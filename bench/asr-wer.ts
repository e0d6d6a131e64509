/**
 * `node --import tsx bench/asr-wer.ts`: word error rate and decoding time per second of audio
 * of every ASR candidate that runs here, on the fixed corpus (bench/asr-corpus.ts). Candidates:
 * Whisper tiny.en on CTranslate2 (the embedded default), PocketSphinx 5 from its PyPI wheel with
 * Parley's narrower beams and with its default ones, and Debian's pocketsphinx 0.8 (when
 * installed). `--only <text>` keeps the candidates whose name contains it. Prints a markdown
 * table and writes bench/results/asr-wer.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CORPUS, editDistance, words } from './asr-corpus';
import { closeSharedHosts } from '../infra/speech/engine-host';
import { createEspeakWasm } from '../infra/speech/espeak-wasm';
import { createPocketsphinx } from '../infra/speech/pocketsphinx';
import { createPocketsphinxWheel } from '../infra/speech/pocketsphinx-wheel';
import { createWhisper } from '../infra/speech/whisper';
import { wavDurationMs } from '../infra/speech/wav';
import { onPath } from '../test/support/binaries';

interface Candidate {
  name: string;
  transcribe(wav: Buffer): Promise<string>;
}

interface Row {
  candidate: string;
  voice: string;
  utterances: number;
  wer: number;
  msPerAudioSecond: number;
}

async function main(): Promise<void> {
  const tts = createEspeakWasm({ timeoutMs: 60_000 });
  const audio = [];
  for (const u of CORPUS) audio.push({ ...u, wav: await tts.speak(u.text, u.voice, u.speed) });

  // Generous timeouts: this measures accuracy and speed, not the turn budget.
  const whisper = createWhisper({ timeoutMs: 120_000 });
  const wheel = createPocketsphinxWheel({ timeoutMs: 120_000 });
  const wide = createPocketsphinxWheel({ timeoutMs: 120_000, search: {} });
  await whisper.check((msg) => console.log(msg));
  await wheel.check((msg) => console.log(msg));
  let candidates: Candidate[] = [
    { name: 'Whisper tiny.en on CTranslate2 int8, 1 thread (PyPI wheels; the embedded default)', transcribe: (wav) => whisper.transcribe(wav) },
    { name: "PocketSphinx 5.1.1 (PyPI wheel), Parley's narrower beams", transcribe: (wav) => wheel.transcribe(wav) },
    { name: 'PocketSphinx 5.1.1 (PyPI wheel), default beams', transcribe: (wav) => wide.transcribe(wav) },
  ];
  if (onPath('pocketsphinx_continuous')) {
    const debian = createPocketsphinx({ timeoutMs: 120_000 });
    candidates.push({ name: "pocketsphinx 0.8 (Debian's pocketsphinx_continuous)", transcribe: (wav) => debian.transcribe(wav) });
  }

  const only = process.argv.indexOf('--only');
  if (only > 0) candidates = candidates.filter((c) => c.name.includes(process.argv[only + 1] ?? ''));

  const rows: Row[] = [];
  for (const c of candidates) {
    for (const voice of [...new Set(CORPUS.map((u) => u.voice))]) {
      let errors = 0;
      let refWords = 0;
      let ms = 0;
      let audioMs = 0;
      const set = audio.filter((a) => a.voice === voice);
      for (const a of set) {
        const start = performance.now();
        const heard = await c.transcribe(a.wav);
        ms += performance.now() - start;
        audioMs += wavDurationMs(a.wav);
        const ref = words(a.text);
        errors += editDistance(ref, words(heard));
        refWords += ref.length;
      }
      rows.push({ candidate: c.name, voice, utterances: set.length, wer: errors / refWords, msPerAudioSecond: ms / (audioMs / 1000) });
    }
  }
  closeSharedHosts();

  console.log('\n| ASR | voice | utterances | WER | ms per second of audio |\n|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.candidate} | ${r.voice} | ${r.utterances} | ${(r.wer * 100).toFixed(1)} % | ${Math.round(r.msPerAudioSecond)} |`);
  const out = path.join(__dirname, 'results', 'asr-wer.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), rows }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

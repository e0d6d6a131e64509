/** Real speech for tests: espeak-ng (the embedded WebAssembly build) says a sentence as WAV. */
import { createEspeakWasm } from '../../infra/speech/espeak-wasm';

const espeak = createEspeakWasm();

export function espeakSpeak(text: string): Promise<Buffer> {
  return espeak.speak(text, 'en', 1);
}

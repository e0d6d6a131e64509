/** Real speech for tests: espeak-ng (Debian package) says a sentence as WAV. */
import { createEspeak } from '../../infra/speech/espeak';

const espeak = createEspeak();

export function espeakSpeak(text: string): Promise<Buffer> {
  return espeak.speak(text, 'en', 1);
}

/** Plays a turn's stored audio (fetched with the token header, then played from an object URL). */
import { useState } from 'preact/hooks';
import { blobUrl } from './api';

export function PlayAudio({ turnId, which, label }: { turnId: string; which: 'reply' | 'caller'; label: string }) {
  const [state, setState] = useState<'idle' | 'loading' | 'playing' | 'missing'>('idle');
  async function play() {
    setState('loading');
    try {
      const url = await blobUrl(`/api/dashboard/turns/${encodeURIComponent(turnId)}/audio?which=${which}`);
      const audio = new Audio(url);
      audio.onended = () => {
        URL.revokeObjectURL(url);
        setState('idle');
      };
      setState('playing');
      await audio.play();
    } catch {
      setState('missing');
    }
  }
  return (
    <button type="button" class="link" onClick={play} disabled={state === 'loading' || state === 'playing'} aria-label={`Play ${label}`}>
      {state === 'missing' ? `${label}: none` : state === 'playing' ? `▶ ${label}…` : `▶ ${label}`}
    </button>
  );
}

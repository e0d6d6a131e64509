/** A call's transcript: caller and reply per turn, with the turn's metrics and audio. */
import type { TurnView } from './calls';
import { PlayAudio } from './audio';
import { time } from './ui';

export function Transcript({ turns, partial }: { turns: TurnView[]; partial?: { transcript?: string; reply?: string } | null }) {
  if (turns.length === 0 && !partial) return <p class="muted">No turns yet.</p>;
  return (
    <ol class="transcript" aria-label="Transcript" aria-live="polite">
      {turns.map((t) => (
        <li key={t.turn_id} data-turn={t.turn_id}>
          {t.transcript ? (
            <p class="caller">
              <b>Caller</b> {t.transcript}
            </p>
          ) : null}
          <p class={`reply source-${t.reply_source}`}>
            <b>{t.reply_source === 'agent' ? 'Agent' : 'Parley'}</b> {t.reply}
          </p>
          <p class="metrics">
            {time(t.timestamp)} · {t.reply_source || 'reply'} · model {t.model || '—'} · ASR {t.metrics.asr_ms ?? 0} ms · LLM {t.metrics.llm_ms ?? 0} ms · TTS {t.metrics.tts_ms ?? 0} ms · total {t.metrics.total_ms ?? 0} ms{' '}
            {/* Forced and inject turns keep no caller audio of their own. */}
            {t.reply_source !== 'forced' && t.reply_source !== 'inject' ? <PlayAudio turnId={t.turn_id} which="caller" label="caller audio" /> : null} <PlayAudio turnId={t.turn_id} which="reply" label="reply audio" />
          </p>
        </li>
      ))}
      {partial ? (
        <li class="partial">
          {partial.transcript !== undefined ? (
            <p class="caller">
              <b>Caller</b> {partial.transcript}
            </p>
          ) : null}
          <p class="reply">
            <b>Parley</b> {partial.reply ?? '…'}
          </p>
        </li>
      ) : null}
    </ol>
  );
}

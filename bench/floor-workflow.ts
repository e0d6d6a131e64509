/**
 * The benchmark's floor: a bare workflow with a session's shape and none of its work. Each turn
 * is an update that runs `stages` no-op local activities in sequence (a Parley turn runs five:
 * begin, ASR, LLM, TTS, commit); no database, no HTTP, no speech. Driven at the same load as the
 * concurrency benchmark, it shows what Temporal alone costs on the machine.
 */
import { condition, defineUpdate, proxyLocalActivities, setHandler } from '@temporalio/workflow';

const { noop } = proxyLocalActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

export const floorTurnUpdate = defineUpdate<void, [number]>('floorTurn');
export const floorEndUpdate = defineUpdate<void, []>('floorEnd');
/** A takeover turn's shape: wait for an answer, then run `stages` no-op local activities. */
export const floorAskUpdate = defineUpdate<void, [number]>('floorAsk');
/** The answer: an update with a validator, as an agent's reply is. */
export const floorAnswerUpdate = defineUpdate<void, [number]>('floorAnswer');

export async function floorWorkflow(): Promise<void> {
  let ended = false;
  let pending: number | null = null;
  let answered: number | null = null;
  setHandler(floorTurnUpdate, async (stages) => {
    for (let i = 0; i < stages; i++) await noop();
  });
  setHandler(floorAskUpdate, async (stages) => {
    pending = (pending ?? 0) + 1;
    await condition(() => answered === pending);
    for (let i = 0; i < stages; i++) await noop();
  });
  setHandler(
    floorAnswerUpdate,
    (id) => {
      answered = id;
    },
    {
      validator: (id) => {
        if (id !== pending) throw new Error('unknown request');
      },
    },
  );
  setHandler(floorEndUpdate, () => {
    ended = true;
  });
  await condition(() => ended);
}

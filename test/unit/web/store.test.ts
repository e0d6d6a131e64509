/**
 * The dashboard's store (web/src/observable.ts, behind web/src/store.ts): a component reads a store when it renders and
 * subscribes after the paint; a change in between must still reach it.
 */
import { Store, subscribeFrom } from '../../../web/src/observable';

test('a change between the read and the subscription is reported at once', () => {
  const state = new Store<'connecting' | 'live'>('connecting');
  const seen = state.get(); // the render
  state.set('live'); // the subscribe.ack, before the effect runs
  let changes = 0;
  const unsubscribe = subscribeFrom(state, seen, () => (changes += 1));
  expect(changes).toBe(1);
  state.set('connecting');
  expect(changes).toBe(2);
  unsubscribe();
  state.set('live');
  expect(changes).toBe(2);
});

test('no change since the read: nothing until the next set', () => {
  const state = new Store(1);
  let changes = 0;
  subscribeFrom(state, state.get(), () => (changes += 1));
  expect(changes).toBe(0);
  state.set(2);
  expect(changes).toBe(1);
});

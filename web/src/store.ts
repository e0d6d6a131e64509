/** The hook that re-renders a component when an observable value (observable.ts) changes. */
import { useEffect, useState } from 'preact/hooks';
import { Store, subscribeFrom } from './observable';

export { Store };

export function useStore<T>(store: Store<T>): T {
  const value = store.get();
  const [, force] = useState(0);
  useEffect(() => subscribeFrom(store, value, () => force((n) => n + 1)), [store]);
  return value;
}

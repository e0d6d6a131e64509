/** A minimal observable value, without the UI library: the store hook (store.ts) renders from it. */
export class Store<T> {
  private listeners = new Set<() => void>();
  constructor(private value: T) {}
  get(): T {
    return this.value;
  }
  set(next: T): void {
    this.value = next;
    for (const l of this.listeners) l();
  }
  update(fn: (v: T) => T): void {
    this.set(fn(this.value));
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Subscribes `onChange`, and calls it at once if the value is no longer `seen`. A component reads
 * the store when it renders but subscribes only in an effect, after the browser has painted; a
 * change in between (the event feed's `subscribe.ack` arriving while the page renders) would
 * otherwise never re-render it, and the feed would read "connecting" for good.
 */
export function subscribeFrom<T>(store: Store<T>, seen: T, onChange: () => void): () => void {
  const unsubscribe = store.subscribe(onChange);
  if (store.get() !== seen) onChange();
  return unsubscribe;
}

/**
 * Provider failures. ProviderError is an ApplicationFailure so an activity can let it
 * escape as is: Temporal retries it unless `retryable` is false.
 */
import { ApplicationFailure } from '@temporalio/common';

export type Stage = 'asr' | 'llm' | 'tts';

/**
 * Whether a provider's HTTP status is worth another try: no status (network, timeout),
 * 408, 429 and 5xx are; other 4xx (bad key, unknown model or voice, bad audio) will fail
 * again the same way.
 */
export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return true;
  if (status === 408 || status === 429) return true;
  return status < 400 || status >= 500;
}

export class ProviderError extends ApplicationFailure {
  constructor(
    message: string,
    readonly stage: Stage,
    readonly retryable: boolean,
    readonly status?: number,
    cause?: Error,
  ) {
    super(message, 'ProviderError', !retryable, [{ stage, status: status ?? null }], cause);
  }
}
// ApplicationFailure defines a read-only `name` on its prototype; give ours its own.
Object.defineProperty(ProviderError.prototype, 'name', { value: 'ProviderError', enumerable: true });

/**
 * A local engine (a child process on this machine) did not answer within its deadline: the
 * machine is busier than the engine's budget allows, not broken (the child is replaced).
 */
export class LocalEngineTimeout extends ProviderError {
  constructor(label: string, stage: Stage, timeoutMs: number) {
    super(`${label} timed out after ${timeoutMs} ms`, stage, true);
  }
}

/**
 * Opt-in retries for transient failures (RetryableError: 40001, 40P01, 55P03,
 * 57014, unavailable, network). A retry is safe only when the call carries an
 * idempotency key, so withRetry always supplies one: the caller's, or one it
 * generates once and reuses for every attempt. A retry can therefore never create twice.
 */
import { RetryableError } from './errors.ts';
import { newUlid } from './ulid.ts';

export interface RetryOptions {
  /** The key every attempt uses (default: a new ULID, shared by the attempts). */
  idempotencyKey?: string;
  /** Attempts in all, the first included (default 5). */
  attempts?: number;
  /** First backoff in ms (default 100); doubles each time, with full jitter. */
  baseDelayMs?: number;
  /** Backoff ceiling in ms (default 5000). */
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Called before each retry (for logging). */
  onRetry?: (error: RetryableError, attempt: number, delayMs: number) => void;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `call(idempotencyKey)` and retries it on RetryableError only.
 *
 * @example
 * const project = await withRetry((key) => api.createCompleteProject({ name, idempotencyKey: key }));
 */
export async function withRetry<T>(call: (idempotencyKey: string) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const key = options.idempotencyKey ?? newUlid();
  const attempts = Math.max(1, options.attempts ?? 5);
  const base = options.baseDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(key);
    } catch (e) {
      if (!(e instanceof RetryableError) || attempt >= attempts) throw e;
      const delay = Math.random() * Math.min(max, base * 2 ** (attempt - 1));
      options.onRetry?.(e, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}

export { sleep };

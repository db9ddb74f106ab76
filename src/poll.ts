/**
 * Polling a build until it is final, as a page waiting for a build does: exponential
 * backoff, an AbortSignal, an overall timeout, and "not found" treated as
 * "not yet" for a bounded time (a worker may report a build id before its
 * row is visible). Transient errors are retried; anything else is thrown.
 */
import { NotFoundError, ProjectsError, RetryableError } from './errors.ts';
import type { BuildStatusResult } from './schemas.ts';
import { sleep } from './retry.ts';

export interface PollOptions {
  /** Give up after this many ms in all (default 10 minutes). */
  timeoutMs?: number;
  /** How long a NotFoundError counts as "not yet" (default 30 s). */
  notFoundGraceMs?: number;
  /** First delay between polls (default 500 ms); grows by `factor` up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  signal?: AbortSignal;
  /** Called with every status read (for a progress indicator). */
  onStatus?: (status: BuildStatusResult) => void;
}

/** Thrown when polling runs out of time; `lastStatus` is the last status read, if any. */
export class PollTimeoutError extends ProjectsError {
  override name = 'PollTimeoutError';
  constructor(readonly lastStatus: BuildStatusResult | null, timeoutMs: number) {
    super({
      message: `the build did not reach a final status within ${timeoutMs} ms`,
      code: 'poll_timeout',
      sqlstate: null,
      httpStatus: 504,
      hint: 'Poll again later; the build may still be running.',
    });
  }
}

export async function pollBuildStatus(
  get: (buildId: string) => Promise<BuildStatusResult>,
  buildId: string,
  options: PollOptions = {},
): Promise<BuildStatusResult> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const grace = options.notFoundGraceMs ?? 30_000;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const factor = options.factor ?? 2;
  const started = Date.now();
  let delay = options.initialDelayMs ?? 500;
  let last: BuildStatusResult | null = null;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      last = await get(buildId);
      options.onStatus?.(last);
      if (last.status !== 'started') return last;
    } catch (e) {
      const elapsed = Date.now() - started;
      const notYet = e instanceof NotFoundError && elapsed < grace;
      if (!notYet && !(e instanceof RetryableError)) throw e;
    }
    const remaining = timeoutMs - (Date.now() - started);
    if (remaining <= 0) throw new PollTimeoutError(last, timeoutMs);
    const wait = Math.min(delay, remaining) * (0.8 + Math.random() * 0.4);
    await sleep(wait, options.signal);
    delay = Math.min(maxDelay, delay * factor);
  }
}

/**
 * Isolation between callers: each caller (a user id, or a key) has at most
 * `inFlight` calls on the database at once and at most `queue` waiting; past
 * that the request is refused at once with 503 and Retry-After, so one
 * caller's flood neither fills the pool nor grows a queue everyone else waits in.
 */
import { HttpError } from './http.ts';

export interface CallerLimits {
  inFlight: number;
  queue: number;
}

interface Slot {
  running: number;
  waiting: (() => void)[];
}

export class CallerLimiter {
  private readonly slots = new Map<string, Slot>();
  constructor(readonly limits: CallerLimits) {}

  private full(slot: Slot | undefined): boolean {
    return !!slot && slot.running >= this.limits.inFlight && slot.waiting.length >= this.limits.queue;
  }

  private refusal(): HttpError {
    return new HttpError(503, 'too_many_requests', `too many requests in flight for this caller (at most ${this.limits.inFlight} running and ${this.limits.queue} queued); retry shortly`, { 'retry-after': '1' });
  }

  /** Refuses at once (before the body is read) a caller whose queue is already full. */
  admit(caller: string): void {
    if (this.full(this.slots.get(caller))) throw this.refusal();
  }

  /** Waits for a slot of this caller; resolves to its release. 503 when the caller's queue is full. */
  async acquire(caller: string): Promise<() => void> {
    let slot = this.slots.get(caller);
    if (!slot) this.slots.set(caller, (slot = { running: 0, waiting: [] }));
    if (slot.running >= this.limits.inFlight) {
      if (this.full(slot)) throw this.refusal();
      await new Promise<void>((resolve) => slot!.waiting.push(resolve));
    } else slot.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slot!.waiting.shift();
      if (next) next(); // the slot passes to the next waiter: running stays the same
      else if (--slot!.running === 0) this.slots.delete(caller);
    };
  }

  /** Wraps every method of `api` so each call holds one of the caller's slots. */
  bind<T extends object>(api: T, caller: string): T {
    return new Proxy(api, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const release = await this.acquire(caller);
          try {
            return await (value as (...a: unknown[]) => unknown).apply(target, args);
          } finally {
            release();
          }
        };
      },
    });
  }
}

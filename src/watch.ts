/**
 * Following the project feed live: Supabase Realtime (`postgres_changes` on
 * public.project_events, row-level security applies) where the stack has it,
 * the feed by polling where it does not, with the same callback either way.
 *
 * A Realtime message is only a wake-up: the events themselves always come
 * from the feed, after the last cursor delivered. So a missed message, a
 * reconnect or a fall back to polling loses nothing and repeats nothing, and
 * a stop/start resumes where it left off (`after`).
 */
import type { FeedEvent, FeedPage } from './schemas.ts';

/** The part of a supabase-js client (or its RealtimeClient) used for Realtime. */
export interface RealtimeLike {
  channel(name: string): RealtimeChannelLike;
  removeChannel(channel: RealtimeChannelLike): unknown;
}

export interface RealtimeChannelLike {
  on(
    type: 'postgres_changes',
    filter: { event: 'INSERT'; schema: string; table: string; filter?: string },
    callback: (payload: { new?: Record<string, unknown> }) => void,
  ): RealtimeChannelLike;
  subscribe(callback?: (status: string, error?: Error) => void): RealtimeChannelLike;
}

/** Reads one page of the feed (the SDK's getProjectFeed, an edge function, a route handler…). */
export type FeedReader = (input: { projectId?: string; after: string | null; limit: number }) => Promise<FeedPage>;

/** Called with new events, in feed order, at least once each; the cursor is the last event's. */
export type FeedListener = (events: FeedEvent[], cursor: string) => void | Promise<void>;

export type WatchMode = 'realtime' | 'polling';

export interface WatchOptions {
  /** Resume after this cursor (the last one a listener received); default: from the beginning. */
  after?: string | null;
  signal?: AbortSignal;
  /**
   * The Realtime client (a supabase-js client). `fromSupabase` passes its client; `false` or
   * absent: polling only. When the channel cannot subscribe, the watch polls until it can.
   */
  realtime?: RealtimeLike | false;
  /** Delay between reads while polling (default 1000 ms). */
  pollIntervalMs?: number;
  /** Delay between reads while Realtime is subscribed, in case a message is lost (default 30 s). */
  safetyIntervalMs?: number;
  /** Ceiling of the backoff after failed reads (default 30 s); the backoff starts at pollIntervalMs. */
  maxBackoffMs?: number;
  /** Events per read (default 100). */
  pageSize?: number;
  /** A read or a listener failed; the watch retries with backoff. */
  onError?: (error: unknown) => void;
  /** The watch switched between Realtime and polling. */
  onMode?: (mode: WatchMode) => void;
}

export interface Watch {
  /** The cursor of the last event delivered (pass it as `after` to resume). */
  readonly cursor: string | null;
  readonly mode: WatchMode;
  /** Stops the watch (as aborting its signal does). */
  stop(): void;
  /** Settles once the watch has stopped. */
  readonly done: Promise<void>;
}

// A Realtime message whose event the feed does not show yet is read again until it shows, this long at most.
const PENDING_MS = 60_000;

/** Watches the feed of one project (`projectId`) or of every project the reader sees. */
export function watchFeed(read: FeedReader, projectId: string | undefined, onEvents: FeedListener, options: WatchOptions = {}): Watch {
  const pollInterval = options.pollIntervalMs ?? 1000;
  const safetyInterval = options.safetyIntervalMs ?? 30_000;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  const pageSize = options.pageSize ?? 100;
  const controller = new AbortController();
  const signal = controller.signal;
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  let cursor = options.after ?? null;
  let mode: WatchMode = 'polling';
  // Event ids Realtime announced that the feed has not delivered yet, with when they were announced.
  const pending = new Map<number, number>();
  let woken = false;
  let wakeWaiter: (() => void) | null = null;
  const wake = () => {
    woken = true;
    wakeWaiter?.();
  };
  const setMode = (m: WatchMode) => {
    if (m === mode || signal.aborted) return;
    mode = m;
    options.onMode?.(m);
  };

  let channel: RealtimeChannelLike | undefined;
  const realtime = options.realtime || undefined;
  if (realtime && !signal.aborted) {
    const name = `project-feed:${projectId ?? 'all'}:${Math.random().toString(36).slice(2)}`;
    channel = realtime
      .channel(name)
      .on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'project_events', ...(projectId ? { filter: `project_id=eq.${projectId}` } : {}) },
        (payload) => {
          const row = payload.new ?? {};
          if (row.project_id == null) return; // not a project's event: never in the feed
          const id = Number(row.id);
          if (Number.isSafeInteger(id)) pending.set(id, Date.now());
          wake();
        },
      )
      .subscribe((status) => {
        if (status === 'SUBSCRIBED') setMode('realtime');
        else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED') setMode('polling');
        else return;
        wake(); // (re)subscribed or lost: catch up from the cursor now
      });
  }

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        wakeWaiter = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      wakeWaiter = done;
    });

  // Reads every page after the cursor and hands each to the listener; the cursor moves only after it returns.
  async function drain(): Promise<void> {
    for (;;) {
      const page = await read({ projectId, after: cursor, limit: pageSize });
      if (signal.aborted) return;
      if (page.events.length === 0) return;
      const last = page.events[page.events.length - 1]!.cursor;
      await onEvents(page.events, last);
      cursor = last;
      for (const e of page.events) pending.delete(e.eventId);
      if (page.events.length < pageSize) return;
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      woken = false;
      let delay: number;
      try {
        await drain();
        failures = 0;
        const now = Date.now();
        for (const [id, at] of pending) if (now - at > PENDING_MS) pending.delete(id);
        delay = mode === 'polling' || pending.size > 0 ? pollInterval : safetyInterval;
      } catch (e) {
        if (signal.aborted) break;
        failures += 1;
        options.onError?.(e);
        delay = Math.min(maxBackoff, pollInterval * 2 ** failures) * (0.8 + Math.random() * 0.4);
        woken = false; // a wake-up that came during the failed read does not skip the backoff
      }
      await wait(delay);
    }
  }

  const done = run().finally(() => {
    options.signal?.removeEventListener('abort', onAbort);
    if (channel && realtime) void Promise.resolve(realtime.removeChannel(channel)).catch(() => undefined);
  });

  return {
    get cursor() {
      return cursor;
    },
    get mode() {
      return mode;
    },
    stop: () => controller.abort(),
    done,
  };
}

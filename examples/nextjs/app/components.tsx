'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import { toProjectsError, watchFeed, type FeedEvent, type WatchMode } from '@projects-core/sdk';
import { browserClient, describeError, feedReader, type ClientEnv } from '@/lib/edge';

export type ShownError = { message: string; referenceId: string | null } | null;

/** An error as the user sees it, with the reference id to quote to support. */
export function ErrorBox({ error, testId = 'error' }: { error: ShownError; testId?: string }) {
  if (!error) return null;
  return (
    <div className="error" role="alert" data-testid={testId}>
      {error.message}
      {error.referenceId ? (
        <div className="reference">
          Reference: <code data-testid="reference-id">{error.referenceId}</code> (quote it to support)
        </div>
      ) : null}
    </div>
  );
}

export function SignInButton() {
  const router = useRouter();
  const [error, setError] = useState<ShownError>(null);
  return (
    <>
      <button
        onClick={async () => {
          const res = await fetch('/api/dev/session', { method: 'POST' });
          if (res.ok) router.refresh();
          else setError(describeError(toProjectsError(await res.json(), res.status)));
        }}
      >
        Sign in as demo user
      </button>
      <ErrorBox error={error} />
    </>
  );
}

export function SignOutButton() {
  const router = useRouter();
  return (
    <button
      onClick={async () => {
        await fetch('/api/dev/session', { method: 'DELETE' });
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}

/**
 * One idempotency key per user intent: made on the first submit, reused by
 * every submit of the same intent (a double click, a resubmit, a retry after
 * an error) so they all replay one result, and dropped after a success or
 * when the user changes what they ask for (a new intent).
 */
export function useIntentKey() {
  const key = useRef<string | null>(null);
  return useMemo(() => ({
    get: () => (key.current ??= crypto.randomUUID()),
    reset: () => {
      key.current = null;
    },
  }), []);
}

/**
 * Live events of one project (or all the user's) from the SDK's watchFeed:
 * Supabase Realtime where the stack has it, else the project-feed edge
 * function polled every second; resumes from `after` (the server's cursor).
 */
export function useFeed(env: ClientEnv, projectId: string | undefined, after: string | null, onEvents: (events: FeedEvent[]) => void) {
  const listener = useRef(onEvents);
  listener.current = onEvents;
  const [mode, setMode] = useState<WatchMode>('polling');
  useEffect(() => {
    const supabase = browserClient(env);
    const controller = new AbortController();
    watchFeed(feedReader(supabase), projectId, (events) => listener.current(events), {
      after,
      signal: controller.signal,
      realtime: supabase,
      onMode: setMode,
    });
    return () => controller.abort(); // the SDK removes its Realtime channel
  }, [env, projectId, after]);
  return mode;
}

/** The status of a project or build, in the words of the list and the timeline. */
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return <span className={`status status-${status}`} data-testid={testId}>{status}</span>;
}

/**
 * The project feed and watchProject(s), against the real database: the feed
 * over both transports, a cursor that never skips an event when transactions
 * commit out of id order (real parallel connections), polling with resume and
 * abort, and the Realtime path: its subscription, wake-ups, and its fall back
 * to polling when the stack has no Realtime server.
 */
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ValidationError,
  fromPostgres,
  fromSupabase,
  watchFeed,
  type FeedEvent,
  type FeedPage,
  type RealtimeChannelLike,
  type RealtimeLike,
  type WatchMode,
} from '../../src/index.ts';
import { anonKey, legacyUserJwt as userJwt } from '../../scripts/lib/jwt.ts';
import { connect, createUser, rejection, type Sql } from '../helpers/db.ts';
import { freePort } from '../helpers/edge.ts';
import { openPool } from '../helpers/pool.ts';
import { postgrestFetch } from '../helpers/postgrest-fetch.ts';

const SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
let sql: Sql;
let pool: Sql;

beforeAll(async () => {
  sql = connect(4);
  pool = await openPool(4);
});
afterAll(async () => {
  await pool.end();
  await sql.end();
});

const asUser = (userId: string) => fromPostgres(pool, { actAs: { userId }, logger: null });
const eventIdsOf = async (userId: string) =>
  (await sql<{ id: string }[]>`select id from public.project_events where user_id = ${userId} and project_id is not null order by id`).map((r) => Number(r.id));

/** Collects what a watch delivers. */
function collector() {
  const events: FeedEvent[] = [];
  const cursors: string[] = [];
  return {
    events,
    cursors,
    listener: (batch: FeedEvent[], cursor: string) => {
      events.push(...batch);
      cursors.push(cursor);
    },
  };
}

describe('getProjectFeed', () => {
  it('returns a project\'s events with what a timeline needs, page by page, over postgres.js and supabase-js', async () => {
    const alice = await createUser(sql);
    const api = asUser(alice);
    const { projectId, buildId } = await api.createProjectForBuild({ name: 'Timeline', framework: 'vue', prompt: 'a shop' });
    await fromPostgres(pool, { actAs: 'service_role', logger: null }).completeBuild({ buildId, status: 'failed', errorMessage: 'exit 1', requestId: 'req-1' });
    await expect.poll(async () => (await api.getProjectFeed({ projectId })).events.length).toBe(3);
    const { events, cursor } = await api.getProjectFeed({ projectId });
    expect(events.map((e) => e.type)).toEqual(['project_created', 'build_started', 'build_failed']);
    expect(events[2]).toMatchObject({
      projectId, projectName: 'Timeline', framework: 'vue', projectStatus: 'failed', buildId, buildStatus: 'failed',
      isCurrentBuild: true, prompt: 'a shop', versionId: null, errorMessage: 'exit 1', referenceId: 'req-1',
    });
    expect(events[2]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(cursor).toBe(events[2]!.cursor);

    const first = await api.getProjectFeed({ projectId, limit: 2 });
    const rest = await api.getProjectFeed({ projectId, after: first.cursor });
    expect([...first.events, ...rest.events].map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    expect(await api.getProjectFeed({ projectId, after: cursor })).toEqual({ events: [], cursor });

    const supabase = createClient('http://127.0.0.1:54321', anonKey(SECRET), {
      global: { fetch: postgrestFetch(sql), headers: { Authorization: `Bearer ${userJwt(alice, SECRET)}` } },
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: ws as never },
    });
    const viaRest = await fromSupabase(supabase, { logger: null }).getProjectFeed({ projectId });
    expect(viaRest).toEqual({ events, cursor });

    const bob = await createUser(sql);
    expect((await asUser(bob).getProjectFeed({ projectId })).events).toEqual([]);
    expect(await rejection(api.getProjectFeed({ after: 'not-a-cursor' }))).toBeInstanceOf(ValidationError);
    expect(await rejection(api.getProjectFeed({ limit: 0 }))).toBeInstanceOf(ValidationError);
  });
});

describe('the feed cursor', () => {
  it('never skips an event whose transaction commits after a later event was read', async () => {
    // Two owners (creations of one owner are serialized by its lock), read by service_role, which sees both.
    const alice = await createUser(sql);
    const bob = await createUser(sql);
    const service = fromPostgres(pool, { actAs: 'service_role', logger: null });
    await asUser(alice).createProjectForBuild({ name: 'Before' });
    const ours = (e: FeedEvent) => e.projectName.startsWith('Cursor ') || e.projectName === 'Before';
    // Start from the end of the feed, 'Before' read: other suites write to the same feed, so read every page.
    let start: string | null = null;
    let sawBefore = false;
    await expect.poll(async () => {
      for (;;) {
        const page = await service.getProjectFeed({ after: start, limit: 1000 });
        start = page.cursor;
        sawBefore ||= page.events.some((e) => e.projectName === 'Before');
        if (page.events.length < 1000) return sawBefore;
      }
    }).toBe(true);
    const reads: FeedPage[] = [];
    const delivered = collector();
    const watch = watchFeed(async (q) => {
      const page = await service.getProjectFeed(q);
      reads.push(page);
      return page;
    }, undefined, (events, cursor) => delivered.listener(events.filter(ours), cursor), { pollIntervalMs: 20, after: start });

    const slow = await sql.reserve();
    try {
      // Transaction A (bob) writes the lower event ids and stays open.
      await slow`begin`;
      await slow`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify({ sub: bob, role: 'authenticated' })}, true)`;
      const [a] = await slow<{ project_id: string }[]>`select project_id from public.create_project_for_build(p_name => 'Cursor slow')`;
      const [mine] = await slow<{ pid: number; max: string }[]>`
        select pg_backend_pid() as pid, (select max(id) from public.project_events where project_id = ${a!.project_id}::uuid) as max`;
      // Transaction B (alice) writes higher ids and commits first.
      const b = await asUser(alice).createProjectForBuild({ name: 'Cursor fast' });
      const [state] = await sql<{ a: string | null; min: string }[]>`
        select (select state from pg_stat_activity where pid = ${mine!.pid}) as a,
               (select min(id) from public.project_events where project_id = ${b.projectId}) as min`;
      expect(state!.a).toBe('idle in transaction');
      expect(Number(mine!.max)).toBeLessThan(Number(state!.min));
      // B is committed, yet reads made after its commit hand out nothing of it while A, older, is open.
      const readsBefore = reads.length;
      await expect.poll(() => reads.length).toBeGreaterThan(readsBefore + 2);
      expect(delivered.events.map((e) => e.projectName)).toEqual([]);
      await slow`commit`;
    } finally {
      await slow`rollback`.catch(() => undefined);
      slow.release();
    }
    await expect.poll(() => delivered.events.length, { timeout: 10_000 }).toBe(4);
    watch.stop();
    await watch.done;

    // Every event once, A's (lower ids, older transaction) before B's.
    expect(delivered.events.map((e) => e.projectName)).toEqual(['Cursor slow', 'Cursor slow', 'Cursor fast', 'Cursor fast']);
    const expected = [...(await eventIdsOf(alice)), ...(await eventIdsOf(bob))].slice(2).sort((x, y) => x - y);
    expect(delivered.events.map((e) => e.eventId).sort((x, y) => x - y)).toEqual(expected);
  });
});

describe('watchProject and watchProjects (polling)', () => {
  it('delivers new events, stops on abort, and resumes from the last cursor without repeating any', async () => {
    const alice = await createUser(sql);
    const api = asUser(alice);
    const { projectId, buildId } = await api.createProjectForBuild({ name: 'Watched' });
    const other = await api.createProjectForBuild({ name: 'Not watched' });
    const controller = new AbortController();
    const seen = collector();
    const watch = api.watchProject(projectId, seen.listener, { signal: controller.signal, pollIntervalMs: 20 });
    await expect.poll(() => seen.events.length).toBe(2);
    expect(watch.mode).toBe('polling');
    controller.abort();
    await watch.done;

    await fromPostgres(pool, { actAs: 'service_role', logger: null }).completeBuild({ buildId, status: 'completed' });
    await api.startBuild({ projectId: other.projectId });
    const resumed = collector();
    const again = api.watchProject(projectId, resumed.listener, { after: watch.cursor, pollIntervalMs: 20 });
    await expect.poll(() => resumed.events.length).toBe(2);
    expect(resumed.events.map((e) => e.type)).toEqual(['build_completed', 'version_created']);
    expect(resumed.events.every((e) => e.projectId === projectId)).toBe(true);
    again.stop();
    await again.done;

    const all = collector();
    const everything = api.watchProjects(all.listener, { pollIntervalMs: 20, pageSize: 2 });
    await expect.poll(() => all.events.length).toBe(8);
    everything.stop();
    await everything.done;
    expect(all.events.map((e) => e.eventId)).toEqual((await eventIdsOf(alice)));
  });

  it('backs off and reports failed reads, then recovers', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const delivered = collector();
    const event = { cursor: '1:1', eventId: 1 } as FeedEvent;
    const watch = watchFeed(async (q) => {
      calls += 1;
      if (calls <= 2) throw new Error('offline');
      return q.after ? { events: [], cursor: q.after } : { events: [event], cursor: '1:1' };
    }, undefined, delivered.listener, { pollIntervalMs: 5, maxBackoffMs: 40, onError: (e) => errors.push(e) });
    await expect.poll(() => delivered.events.length).toBe(1);
    watch.stop();
    await watch.done;
    expect(errors).toHaveLength(2);
    expect(watch.cursor).toBe('1:1');
  });
});

/** A Realtime client that records its channel and lets the test drive it. */
function fakeRealtime() {
  const state = {
    name: '',
    filter: undefined as unknown,
    onChange: undefined as ((p: { new?: Record<string, unknown> }) => void) | undefined,
    onStatus: undefined as ((s: string) => void) | undefined,
    removed: false,
  };
  const channel: RealtimeChannelLike = {
    on(_type, filter, callback) {
      state.filter = filter;
      state.onChange = callback;
      return channel;
    },
    subscribe(callback) {
      state.onStatus = callback;
      return channel;
    },
  };
  const client: RealtimeLike = {
    channel(name) {
      state.name = name;
      return channel;
    },
    removeChannel() {
      state.removed = true;
    },
  };
  return { client, state };
}

describe('watchProject (Realtime)', () => {
  it('subscribes to inserts of the project\'s events, reads the feed on each message, and falls back to polling on a channel error', async () => {
    const alice = await createUser(sql);
    const api = asUser(alice);
    const { projectId } = await api.createProjectForBuild({ name: 'Live' });
    const rt = fakeRealtime();
    const modes: WatchMode[] = [];
    const seen = collector();
    let reads = 0;
    const watch = watchFeed(async (q) => {
      reads += 1;
      return api.getProjectFeed(q);
    }, projectId, seen.listener, {
      realtime: rt.client, pollIntervalMs: 20, safetyIntervalMs: 600_000, onMode: (m) => modes.push(m),
    });
    expect(rt.state.filter).toEqual({ event: 'INSERT', schema: 'public', table: 'project_events', filter: `project_id=eq.${projectId}` });
    await expect.poll(() => seen.events.length).toBe(2);

    rt.state.onStatus!('SUBSCRIBED');
    expect(watch.mode).toBe('realtime');
    const idle = reads;
    await expect.poll(() => reads).toBeGreaterThan(idle); // the catch-up read on subscribing
    const settled = reads;
    const build = await api.startBuild({ projectId });
    // Subscribed: no polling, so nothing arrives until a message wakes the watch up.
    expect(reads).toBeLessThanOrEqual(settled + 1);
    const [row] = await sql<{ id: string }[]>`select id from public.project_events where build_id = ${build.buildId} and event_type = 'build_started'`;
    rt.state.onChange!({ new: { id: row!.id, project_id: projectId } });
    await expect.poll(() => seen.events.map((e) => e.type)).toContain('build_started');

    rt.state.onStatus!('CHANNEL_ERROR');
    expect(watch.mode).toBe('polling');
    await api.startBuild({ projectId });
    // Polling again: the next build arrives without any message.
    await expect.poll(() => seen.events.filter((e) => e.type === 'build_started').length).toBe(3);
    watch.stop();
    await watch.done;
    expect(modes).toEqual(['realtime', 'polling']);
    expect(rt.state.removed).toBe(true);
    expect(seen.events.map((e) => e.eventId)).toEqual(await eventIdsOf(alice));
  });

  it('through fromSupabase: subscribes with the supabase-js client and polls the feed when there is no Realtime server', async () => {
    const alice = await createUser(sql);
    const { projectId } = await asUser(alice).createProjectForBuild({ name: 'No Realtime here' });
    const nothing = await freePort(); // no server listens here: the WebSocket cannot connect
    const supabase = createClient(`http://127.0.0.1:${nothing}`, anonKey(SECRET), {
      global: { fetch: postgrestFetch(sql), headers: { Authorization: `Bearer ${userJwt(alice, SECRET)}` } },
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: ws as never },
    });
    const api = fromSupabase(supabase, { logger: null });
    const seen = collector();
    const watch = api.watchProject(projectId, seen.listener, { pollIntervalMs: 20 });
    expect(supabase.getChannels().map((c) => c.topic)).toEqual([expect.stringMatching(/^realtime:project-feed:/)]);
    await expect.poll(() => seen.events.length).toBe(2);
    await asUser(alice).startBuild({ projectId }); // supersedes the build in flight: two events
    await expect.poll(() => seen.events.length).toBe(4);
    expect(watch.mode).toBe('polling');
    watch.stop();
    await watch.done;
    await expect.poll(() => supabase.getChannels().length).toBe(0);
    supabase.realtime.disconnect();
  });
});

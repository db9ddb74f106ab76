/**
 * npm run bench [-- --quick] [-- --check]: what project creation, replays,
 * ULIDs, polling and the HTTP path cost, each against its own floor measured
 * in the same run, on a throwaway PostgreSQL 17 on loopback (or
 * BENCH_DATABASE_URL, which must be on loopback). Not part of npm test.
 *
 * Writes only bench/results: latest.{md,json} and two SVG charts (a --quick
 * run writes quick.{md,json}, which git ignores). Prints every target; a
 * missed one is marked MISSED, and with --check the run then exits 1.
 * --quick takes well under 90 s: shorter runs, fewer points and values.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { root } from './lib/config.ts';
import { migrate } from './lib/migrate.ts';
import { startThrowaway, type Throwaway } from './lib/throwaway.ts';
import { evaluateTargets, exitCode, renderReport, targetLines, type BenchResults, type CreationCurve } from './lib/bench-report.ts';
import { benchFlood } from './lib/bench-flood.ts';
import { benchHttp } from './lib/bench-http.ts';
import { benchUlid } from './lib/bench-ulid.ts';
import { FLOOR_KEY_SQL, FLOOR_SQL, OURS_KEY_SQL, OURS_SQL, type PollVariant, REPLAY_SQL, SELECT1_SQL, pollScripts, setupBench } from './lib/bench-sql.ts';

const POLL_VARIANTS: PollVariant[] = ['sdk', 'pipelined', 'call', 'query'];
import { pgbenchPath, pgbenchScript, runPgbench } from './lib/pgbench.ts';

// Output piped into a reader that quits (| head) must not kill us before cleanup.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const check = args.includes('--check');
/** Seconds per pgbench run; a creation point is four runs (floor, ours, ours, floor). */
const SECONDS = quick ? 1 : 5;
const CLIENTS_WITHOUT_KEY = quick ? [1, 8, 16] : [1, 2, 4, 8, 16, 32];
const CLIENTS_WITH_KEY = [1, 8, 16];
const progress = (m: string) => process.stderr.write(`[bench] ${m}\n`);

/** The first row of a result. */
function one<T>(rows: readonly T[]): T {
  if (!rows[0]) throw new Error('expected a row');
  return rows[0];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** 100 identical requests at once, one user, one key. */
async function sameUserStorm(url: string) {
  const sql = postgres(url, { max: 100, onnotice: () => undefined });
  await Promise.all(Array.from({ length: 100 }, () => sql`select pg_sleep(0.02)`));
  const user = one(await sql<{ id: string }[]>`select id from bench.users where n = 1`).id;
  const key = randomUUID();
  const t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: 100 }, () => sql`select * from public.create_complete_project(p_user_id => ${user}, p_name => 'Storm', p_idempotency_key => ${key})`),
  );
  const elapsedMs = performance.now() - t0;
  const n = one(await sql<{ n: number }[]>`select count(*)::int as n from public.idempotency_keys where idempotency_key = ${key}`).n;
  await sql.end();
  return { requests: 100, errors: results.filter((r) => r.status === 'rejected').length, projects_created: n, elapsed_ms: Math.round(elapsedMs) };
}

/** Replay latency against a fresh create, sequential, medians. */
async function replayLatency(url: string, n: number) {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  const user = one(await sql<{ id: string }[]>`select id from bench.users where n = 2`).id;
  const call = (key: string, name: string) =>
    sql`select * from public.create_complete_project(p_user_id => ${user}, p_name => ${name}, p_prompt => 'a bench prompt', p_idempotency_key => ${key})`;
  for (let i = 0; i < 50; i++) await call(randomUUID(), `warm ${i}`);
  const fresh: number[] = [];
  const replay: number[] = [];
  const key = randomUUID();
  await call(key, 'replayed');
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    await call(randomUUID(), `fresh ${i}`);
    fresh.push(performance.now() - t);
    t = performance.now();
    await call(key, 'replayed');
    replay.push(performance.now() - t);
  }
  await sql.end();
  return { fresh_ms: median(fresh), replay_ms: median(replay) };
}

type Strategy = 'check_then_insert' | 'catch_23505_and_reread' | 'advisory_lock_and_window' | 'ours_idempotency_key';

/** One duplicate storm per strategy: 50 users x 10 identical requests over 32 connections. */
async function strategies(url: string, rounds: number) {
  const sql = postgres(url, { max: 32, onnotice: () => undefined });
  await Promise.all(Array.from({ length: 32 }, () => sql`select pg_sleep(0.02)`));
  const users = (await sql<{ id: string }[]>`select id from bench.users order by n limit 50`).map((r) => r.id);

  const impls: Record<Strategy, (user: string, id: string, key: string, name: string) => Promise<unknown>> = {
    // Look, then insert the client's id: racing requests hit 23505.
    check_then_insert: async (user, id, _key, name) => {
      const found = await sql`select id from bench.s_projects where id = ${id}`;
      if (found.length === 0) await sql`insert into bench.s_projects (id, user_id, name, framework) values (${id}, ${user}, ${name}, 'react')`;
    },
    // Insert; on 23505 read the existing row (the error still happens on the server).
    catch_23505_and_reread: async (user, id, _key, name) => {
      try {
        await sql`insert into bench.s_projects (id, user_id, name, framework) values (${id}, ${user}, ${name}, 'react')`;
      } catch (e) {
        if ((e as { code?: string }).code !== '23505') throw e;
        serverErrors++;
        await sql`select * from bench.s_projects where id = ${id}`;
      }
    },
    // A 32-bit advisory lock, a 10-second window, ON CONFLICT DO NOTHING.
    advisory_lock_and_window: (user, id, _key, name) =>
      sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtext(${user}::text || 'prompt'))`;
        const recent = await tx`select id from bench.s_projects where user_id = ${user} and name = ${name} and framework = 'react'
                                  and created_at > clock_timestamp() - interval '10 seconds'`;
        if (recent.length === 0) {
          await tx`insert into bench.s_projects (id, user_id, name, framework) values (${id}, ${user}, ${name}, 'react') on conflict (id) do nothing`;
        }
      }),
    // Ours: the full project (five tables) with an idempotency key.
    ours_idempotency_key: (user, _id, key, name) =>
      sql`select * from public.create_complete_project(p_user_id => ${user}, p_name => ${name}, p_idempotency_key => ${key})`,
  };

  let serverErrors = 0;
  const out: Record<string, { requests: number; errors: number; server_errors: number; duplicates: number; tps: number }> = {};
  for (const [strategy, impl] of Object.entries(impls) as [Strategy, (typeof impls)[Strategy]][]) {
    let errors = 0;
    let duplicates = 0;
    let elapsed = 0;
    let requests = 0;
    serverErrors = 0;
    for (let round = 0; round < rounds; round++) {
      const name = `Storm ${strategy} ${round}`;
      const work = users.flatMap((user) => {
        const id = randomUUID();
        const key = randomUUID();
        return Array.from({ length: 10 }, () => ({ user, id, key }));
      });
      work.sort(() => Math.random() - 0.5);
      const t0 = performance.now();
      const results = await Promise.allSettled(work.map((w) => impl(w.user, w.id, w.key, name)));
      elapsed += performance.now() - t0;
      requests += work.length;
      const failed = results.filter((r) => r.status === 'rejected');
      errors += failed.length;
      serverErrors += strategy === 'check_then_insert' ? failed.length : 0;
      const rows =
        strategy === 'ours_idempotency_key'
          ? await sql<{ n: number }[]>`select count(*)::int as n from public.projects where name = ${name} group by user_id`
          : await sql<{ n: number }[]>`select count(*)::int as n from bench.s_projects where name = ${name} group by user_id`;
      duplicates += rows.reduce((a, r) => a + (r.n - 1), 0);
    }
    out[strategy] = { requests, errors, server_errors: serverErrors, duplicates, tps: Math.round(requests / (elapsed / 1000)) };
    progress(`  ${strategy}: ${out[strategy]!.tps} req/s, ${errors} errors, ${duplicates} duplicates`);
  }
  await sql.end();
  return out;
}

async function main(): Promise<number> {
  if (!existsSync(pgbenchPath)) throw new Error('pgbench is not installed: apt-get install postgresql-15 (or run .ci/run)');
  const started = Date.now();
  const loadAtStart = os.loadavg()[0]!;
  let db: Throwaway | undefined;
  let url = process.env.BENCH_DATABASE_URL || '';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-'));
  try {
    if (!url) {
      progress('starting a throwaway PostgreSQL 17 (fsync on, synchronous_commit on)');
      db = await startThrowaway({
        settings: { fsync: 'on', full_page_writes: 'on', max_connections: 200, max_wal_size: '8GB', checkpoint_timeout: '1h' },
      });
      url = db.url;
    }
    const host = new URL(url).hostname;
    if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`BENCH_DATABASE_URL must be on loopback (127.0.0.1), not ${host}: the bench writes to it`);
    await migrate(url, () => undefined);
    await setupBench(url);
    const scripts = {
      floor: await pgbenchScript(dir, 'floor.sql', FLOOR_SQL),
      floorKey: await pgbenchScript(dir, 'floor-key.sql', FLOOR_KEY_SQL),
      ours: await pgbenchScript(dir, 'ours.sql', OURS_SQL),
      oursKey: await pgbenchScript(dir, 'ours-key.sql', OURS_KEY_SQL),
      replay: await pgbenchScript(dir, 'replay.sql', REPLAY_SQL),
      poll: Object.fromEntries(await Promise.all(POLL_VARIANTS.map(async (v) =>
        [v, await Promise.all((await pollScripts(url, 16, v)).map((p) => pgbenchScript(dir, p.name, p.body)))] as const))) as Record<PollVariant, string[]>,
      select1: await pgbenchScript(dir, 'select1.sql', SELECT1_SQL),
    };

    progress('warming up');
    await runPgbench(url, scripts.ours, { clients: 4, seconds: quick ? 1 : 2 });
    await runPgbench(url, scripts.floor, { clients: 4, seconds: quick ? 1 : 2 });

    // CHECKPOINT needs a superuser (postgres is not one, as on Supabase): the throwaway's own.
    const sql = postgres(db?.adminUrl ?? url, { max: 1, onnotice: () => undefined });
    const tps = async (file: string, clients: number, env: Record<string, string> = {}) => {
      await sql`checkpoint`;
      return (await runPgbench(url, file, { clients, seconds: SECONDS, env })).tps;
    };
    // floor, ours, ours, floor after a CHECKPOINT each, so drift and background
    // writes fall on both alike; the mean of each pair is reported.
    const abba = async (floorFile: string, oursFile: string, c: number, env: Record<string, string> = {}) => {
      const f1 = await tps(floorFile, c, env);
      const o1 = await tps(oursFile, c, env);
      const o2 = await tps(oursFile, c, env);
      const f2 = await tps(floorFile, c, env);
      return { floor: (f1 + f2) / 2, ours: (o1 + o2) / 2 };
    };
    const select1: Record<number, number> = {};
    const curve = async (floorFile: string, oursFile: string, clients: number[], label: string): Promise<CreationCurve> => {
      const out: CreationCurve = { floor: {}, ours: {} };
      for (const c of clients) {
        const before = await tps(scripts.select1, c);
        const r = await abba(floorFile, oursFile, c);
        const after = await tps(scripts.select1, c);
        select1[c] = select1[c] === undefined ? (before + after) / 2 : (select1[c]! + (before + after) / 2) / 2;
        out.floor[c] = r.floor;
        out.ours[c] = r.ours;
        progress(`  ${label}, ${c} client(s): floor ${r.floor.toFixed(0)} tps, ours ${r.ours.toFixed(0)} tps (${(r.ours / r.floor).toFixed(2)}); select 1 ${((before + after) / 2).toFixed(0)} tps`);
      }
      return out;
    };
    progress(`creation without a key: select 1, then floor/ours/ours/floor (${SECONDS} s each)`);
    const withoutKey = await curve(scripts.floor, scripts.ours, CLIENTS_WITHOUT_KEY, 'without key');
    progress('creation with a key');
    const withKey = await curve(scripts.floorKey, scripts.oursKey, CLIENTS_WITH_KEY, 'with key');

    let commitFlush: BenchResults['commit_flush'];
    if (!quick) {
      progress('commit flush at 8 clients (synchronous_commit off)');
      const off = await abba(scripts.floor, scripts.ours, 8, { PGOPTIONS: '-c synchronous_commit=off' });
      commitFlush = { floor_tps: off.floor, creation_tps: off.ours, ratio: off.ours / off.floor };
    }

    progress('replays and polls at 8 clients');
    // The creation runs left hundreds of thousands of fresh rows: settle them
    // first (as pgbench does before its runs), so autovacuum does not run
    // beside the reads and every read sees the same tables.
    await sql.unsafe('vacuum analyze');
    const replayTps = await tps(scripts.replay, 8);
    const polls = {} as Record<PollVariant, number>;
    for (const v of POLL_VARIANTS) {
      await sql`checkpoint`;
      polls[v] = (await runPgbench(url, scripts.poll[v], { clients: 8, seconds: SECONDS * 2, protocol: v === 'sdk' ? 'simple' : 'prepared' })).tps;
    }
    const pollTps = polls.sdk;
    await sql.end();
    progress(`  ${replayTps.toFixed(0)} replays/s; polls/s: ${POLL_VARIANTS.map((v) => `${v} ${polls[v].toFixed(0)}`).join(', ')} (select 1: ${select1[8]!.toFixed(0)})`);

    progress('replay latency against a fresh create');
    const replay = await replayLatency(url, quick ? 100 : 300);

    progress(`generate_ulid() against gen_random_uuid() on both paths, ${quick ? '200,000' : '1,000,000'} values`);
    const ulid = await benchUlid(url, quick ? 200_000 : 1_000_000, 3);
    progress(`  increment ${ulid.increment_ratio.toFixed(2)}x, fresh millisecond ${ulid.fresh_ratio.toFixed(2)}x`);

    progress('the HTTP path against direct SQL, 8 concurrent callers');
    const http = await benchHttp(url, { callers: 8, seconds: quick ? 2 : 10, poolSize: Number(process.env.EDGE_DB_POOL_SIZE ?? 3) });
    progress(`  edge ${http.http.per_second.toFixed(0)}/s, SQL ${http.sql.per_second.toFixed(0)}/s`);

    progress("flood isolation: one user floods create-project (500 requests, 48 at once) while another polls");
    const flood = await benchFlood(url, { rounds: quick ? 1 : 3, poolSize: Number(process.env.EDGE_DB_POOL_SIZE ?? 3) });
    progress(`  victim p99 idle ${flood.idle.p99_ms} ms, flooded ${flood.flooded.p99_ms} ms; attacker ${JSON.stringify(flood.attacker)}`);

    progress('same-user storm: 100 identical requests at once');
    const storm = await sameUserStorm(url);
    progress('duplicate storms: 50 users x 10 requests, 32 connections');
    const strategy = await strategies(url, quick ? 1 : 3);

    const info = postgres(url, { max: 1, onnotice: () => undefined });
    const version = one(await info<{ version: string }[]>`select version()`).version;
    await info.end();
    const results: BenchResults = {
      generated_at: new Date().toISOString(),
      quick,
      seconds_per_run: SECONDS,
      machine: { cpus: os.cpus().length, memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version, load_average: [loadAtStart, os.loadavg()[0]!] },
      server: version.split(',')[0]!,
      select1_tps_by_clients: select1,
      creation: { without_key: withoutKey, with_key: withKey },
      commit_flush: commitFlush,
      replay: {
        ...replay,
        latency_ratio: replay.replay_ms / replay.fresh_ms,
        tps_at_8: replayTps,
        throughput_ratio: replayTps / select1[8]!,
      },
      ulid,
      polling: {
        clients: 8, interval_s_for_10000_builds: 10_000 / (pollTps / 2),
        by_variant: Object.fromEntries(POLL_VARIANTS.map((v) => [v, { tps: polls[v], ratio: polls[v] / select1[8]! }])) as Record<PollVariant, { tps: number; ratio: number }>,
      },
      http,
      flood,
      storm,
      strategies: strategy,
      storm_errors: storm.errors + strategy.ours_idempotency_key!.errors + http.http.errors + http.sql.errors,
      duration_s: Math.round((Date.now() - started) / 1000),
    };
    const targets = evaluateTargets(results);
    const outDir = path.join(root, 'bench', 'results');
    await mkdir(outDir, { recursive: true });
    const files = renderReport(results, targets);
    const written = quick
      ? { 'quick.json': files['latest.json']!, 'quick.md': files['latest.md']! }
      : files;
    for (const [name, text] of Object.entries(written)) await writeFile(path.join(outDir, name), text);

    const verdict = targetLines(targets);
    for (const line of verdict.slice(0, -1)) console.log(line);
    console.log(`${verdict.at(-1)}; wrote ${Object.keys(written).map((f) => `bench/results/${f}`).join(', ')} in ${results.duration_s} s`);
    return exitCode(targets, check);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await db?.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[bench] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);

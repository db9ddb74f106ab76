/**
 * npm run bench [-- --quick]: throughput and latency of project creation
 * against the raw-insert floor and the strategies people try first
 * (docs/design.md), measured in one run
 * on a throwaway PostgreSQL 17 (or BENCH_DATABASE_URL). Not part of npm test.
 *
 * Writes bench/results/latest.{md,json}, throughput.svg and strategies.svg,
 * and prints the ratios. Targets are reported, never asserted.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { run } from './lib/cluster.ts';
import { debianPg15 } from './lib/binaries.ts';
import { root } from './lib/config.ts';
import { migrate } from './lib/migrate.ts';
import { startThrowaway, type Throwaway } from './lib/throwaway.ts';
import { readmeSection, renderReport, type BenchResults } from './lib/bench-report.ts';
import { readFile } from 'node:fs/promises';

// Output piped into a reader that quits (| head) must not kill us before cleanup.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 2 : 8;
const CLIENTS = [1, 2, 4, 8, 16, 32];
const USERS = 64;
const progress = (m: string) => process.stderr.write(`[bench] ${m}\n`);

const pgbench = path.join(debianPg15.binDir, 'pgbench');

interface PgbenchResult {
  tps: number;
  latencyMs: number;
  failed: number;
}

async function runPgbench(url: string, script: string, clients: number, seconds: number, env: Record<string, string> = {}): Promise<PgbenchResult> {
  const u = new URL(url);
  const r = await run(
    pgbench,
    ['-n', '-M', 'prepared', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), '-f', script, '-h', u.hostname, '-p', u.port, '-U', 'postgres', 'postgres'],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password), ...env } },
  );
  if (r.code !== 0) throw new Error(`pgbench failed (${path.basename(script)}, ${clients} clients):\n${r.stderr}${r.stdout}`);
  const tps = Number(/tps = ([\d.]+)/.exec(r.stdout)?.[1]);
  const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(r.stdout)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(r.stdout)?.[1] ?? 0);
  return { tps, latencyMs, failed };
}

/** The first row of a result. */
function one<T>(rows: readonly T[]): T {
  if (!rows[0]) throw new Error('expected a row');
  return rows[0];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// The same rows create_complete_project writes (project, build, version, AI-time session,
// three events) in one statement: no function, no lock, no checks. ULID columns get
// '0' + 25 hex digits (valid Crockford base32), so the floor is not charged for ULIDs.
const FLOOR_SQL = `
with u as (select id from bench.users where n = :client_id + 1),
ids as (
  select gen_random_uuid() as pid,
         '0' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 25)) as bid,
         '0' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 25)) as vid,
         clock_timestamp() as ts
), p as (
  insert into public.projects (id, owner_id, name, framework, build_status, current_build_id, current_version_id,
                               last_build_started, created_by_service, created_at, updated_at)
  select ids.pid, u.id, 'Bench ' || :r, 'react', 'building', ids.bid, ids.vid, ids.ts, 'bench', ids.ts, ids.ts from ids, u
  returning id
), b as (
  insert into public.project_build_metrics (build_id, project_id, user_id, is_initial_build, status, framework, prompt, started_at)
  select ids.bid, p.id, u.id, true, 'started', 'react', 'a bench prompt', ids.ts from ids, u, p
  returning id
), v as (
  insert into public.project_versions (version_id, project_id, user_id, build_id, status, framework, prompt, created_at)
  select ids.vid, p.id, u.id, ids.bid, 'building', 'react', 'a bench prompt', ids.ts from ids, u, p
), s as (
  insert into public.ai_time_sessions (build_id, project_id, user_id, started_at)
  select ids.bid, p.id, u.id, ids.ts from ids, u, p
), e as (
  insert into public.project_events (event_type, user_id, project_id, build_id, version_id, actor_role, created_at)
  select t.e, u.id, p.id, ids.bid, case when t.e = 'version_created' then ids.vid end, 'bench', ids.ts
    from ids, u, p, (values ('project_created'), ('build_started'), ('version_created')) as t (e)
)
select id from b;`;

const OURS_SQL = `
select * from public.create_complete_project(
  p_user_id => (select id from bench.users where n = :client_id + 1),
  p_name => 'Bench ' || :r, p_framework => 'react', p_prompt => 'a bench prompt');`;

async function setup(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  await sql.unsafe(`
    create schema if not exists bench;
    create table if not exists bench.users (n int primary key, id uuid not null);
    insert into bench.users (n, id) select n, gen_random_uuid() from generate_series(1, ${USERS}) n on conflict do nothing;
    insert into auth.users (id, email) select id, 'bench-' || n || '@example.test' from bench.users on conflict do nothing;
    -- the other strategies write a bare row here (ours writes the full project)
    create table if not exists bench.s_projects (
      id uuid primary key, owner_id uuid not null, name text not null, framework text not null,
      created_at timestamptz not null default clock_timestamp());
    create index if not exists s_projects_owner on bench.s_projects (owner_id, name, created_at);
    analyze;`);
  await sql.end();
}

async function script(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `\\set r random(1, 1000000000)\n${body.trim()}\n`);
  return file;
}

/** (c) 100 identical requests at once, one user, one key. */
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

/** (d) replay latency against a fresh create, sequential, medians. */
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

/** (e) generate_ulid() against gen_random_uuid(), 1 000 000 values each, server-side time. */
async function ulidVsUuid(url: string, n: number) {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  const time = async (expr: string) => {
    const ms = one(await sql.unsafe<{ ms: number }[]>(`
      select extract(epoch from (clock_timestamp() - t0)) * 1000 as ms
        from (select clock_timestamp() as t0) s,
             lateral (select count(${expr}) from generate_series(1, ${n})) c`)).ms;
    return Number(ms);
  };
  const ulid: number[] = [];
  const uuid: number[] = [];
  for (let i = 0; i < 3; i++) {
    uuid.push(await time('gen_random_uuid()'));
    ulid.push(await time('public.generate_ulid()'));
  }
  await sql.end();
  return { values: n, ulid_ms: median(ulid), uuid_ms: median(uuid) };
}

type Strategy = 'check_then_insert' | 'catch_23505_and_reread' | 'advisory_lock_and_window' | 'ours_idempotency_key';

/** (f) one duplicate storm per strategy: 50 users x 10 identical requests over 32 connections. */
async function strategies(url: string, rounds: number) {
  const sql = postgres(url, { max: 32, onnotice: () => undefined });
  await Promise.all(Array.from({ length: 32 }, () => sql`select pg_sleep(0.02)`));
  const users = (await sql<{ id: string }[]>`select id from bench.users order by n limit 50`).map((r) => r.id);

  const impls: Record<Strategy, (user: string, id: string, key: string, name: string) => Promise<unknown>> = {
    // Look, then insert the client's id: racing requests all pass the look, and all but one hit 23505.
    check_then_insert: async (user, id, _key, name) => {
      const found = await sql`select id from bench.s_projects where id = ${id}`;
      if (found.length === 0) await sql`insert into bench.s_projects (id, owner_id, name, framework) values (${id}, ${user}, ${name}, 'react')`;
    },
    // Insert; on 23505 read the existing row: callers see no error, but it still happens on the server.
    catch_23505_and_reread: async (user, id, _key, name) => {
      try {
        await sql`insert into bench.s_projects (id, owner_id, name, framework) values (${id}, ${user}, ${name}, 'react')`;
      } catch (e) {
        if ((e as { code?: string }).code !== '23505') throw e;
        serverErrors++;
        await sql`select * from bench.s_projects where id = ${id}`;
      }
    },
    // A 32-bit advisory lock per owner, a 10-second window on the same name, ON CONFLICT DO NOTHING.
    advisory_lock_and_window: (user, id, _key, name) =>
      sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtext(${user}::text || 'prompt'))`;
        const recent = await tx`select id from bench.s_projects where owner_id = ${user} and name = ${name} and framework = 'react'
                                  and created_at > clock_timestamp() - interval '10 seconds'`;
        if (recent.length === 0) {
          await tx`insert into bench.s_projects (id, owner_id, name, framework) values (${id}, ${user}, ${name}, 'react') on conflict (id) do nothing`;
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
          ? await sql<{ n: number }[]>`select count(*)::int as n from public.projects where name = ${name} group by owner_id`
          : await sql<{ n: number }[]>`select count(*)::int as n from bench.s_projects where name = ${name} group by owner_id`;
      duplicates += rows.reduce((a, r) => a + (r.n - 1), 0);
    }
    out[strategy] = { requests, errors, server_errors: serverErrors, duplicates, tps: Math.round(requests / (elapsed / 1000)) };
    progress(`  ${strategy}: ${out[strategy]!.tps} req/s, ${errors} errors, ${duplicates} duplicates`);
  }
  await sql.end();
  return out;
}

async function main(): Promise<void> {
  if (!existsSync(pgbench)) throw new Error('pgbench is not installed: apt-get install postgresql-15 (or run .ci/run)');
  const started = Date.now();
  let db: Throwaway | undefined;
  let url = process.env.BENCH_DATABASE_URL || '';
  try {
    if (!url) {
      progress('starting a throwaway PostgreSQL 17 (fsync on, synchronous_commit on)');
      db = await startThrowaway({
        settings: { fsync: 'on', full_page_writes: 'on', max_connections: 200, max_wal_size: '8GB', checkpoint_timeout: '1h' },
      });
      url = db.url;
    }
    await migrate(url, () => undefined);
    await setup(url);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-'));
    const floorScript = await script(dir, 'floor.sql', FLOOR_SQL);
    const oursScript = await script(dir, 'ours.sql', OURS_SQL);
    const select1 = await script(dir, 'select1.sql', 'select 1;');

    progress('warming up');
    await runPgbench(url, oursScript, 4, 2);
    await runPgbench(url, floorScript, 4, 2);

    const creation: Record<number, number> = {};
    const floor: Record<number, number> = {};
    const select1Tps: Record<number, number> = {};
    // Each point runs floor, ours, ours, floor (ABBA) after a CHECKPOINT, so drift and
    // background writes fall on both alike; the reported tps is the mean of each pair.
    // CHECKPOINT needs a superuser (postgres is not one, as on Supabase): the throwaway's own.
    const sql = postgres(db?.adminUrl ?? url, { max: 1, onnotice: () => undefined });
    const measure = async (file: string, c: number, seconds: number, env: Record<string, string> = {}) => {
      await sql`checkpoint`;
      return (await runPgbench(url, file, c, seconds, env)).tps;
    };
    const abba = async (c: number, env: Record<string, string> = {}) => {
      const half = Math.max(1, SECONDS / 2);
      const f1 = await measure(floorScript, c, half, env);
      const o1 = await measure(oursScript, c, half, env);
      const o2 = await measure(oursScript, c, half, env);
      const f2 = await measure(floorScript, c, half, env);
      return { floor: (f1 + f2) / 2, ours: (o1 + o2) / 2 };
    };
    for (const c of CLIENTS) {
      progress(`${c} client(s): select 1, then floor/ours/ours/floor (${SECONDS / 2} s each)`);
      select1Tps[c] = (await runPgbench(url, select1, c, Math.max(1, SECONDS / 2))).tps;
      const r = await abba(c);
      floor[c] = r.floor;
      creation[c] = r.ours;
      progress(`  floor ${floor[c]!.toFixed(0)} tps, ours ${creation[c]!.toFixed(0)} tps (${(creation[c]! / floor[c]!).toFixed(2)}), select 1 ${select1Tps[c]!.toFixed(0)} tps`);
    }

    progress('commit flush share at 8 clients (synchronous_commit off)');
    const syncOff = await abba(8, { PGOPTIONS: '-c synchronous_commit=off' });
    const floorAsync = syncOff.floor;
    const oursAsync = syncOff.ours;
    await sql.end();

    progress('same-user storm: 100 identical requests at once');
    const storm = await sameUserStorm(url);
    progress(`  ${storm.errors} errors, ${storm.projects_created} project(s), ${storm.elapsed_ms} ms`);

    progress('replay latency against a fresh create');
    const replay = await replayLatency(url, quick ? 100 : 300);

    progress('generate_ulid() against gen_random_uuid()');
    const ulid = await ulidVsUuid(url, quick ? 200_000 : 1_000_000);

    progress("the usual strategies on a duplicate storm (50 users x 10 requests, 32 connections)");
    const strategy = await strategies(url, quick ? 1 : 3);

    const info = postgres(url, { max: 1, onnotice: () => undefined });
    const version = one(await info<{ version: string }[]>`select version()`).version;
    await info.end();
    const results: BenchResults = {
      generated_at: new Date().toISOString(),
      quick,
      seconds_per_point: SECONDS,
      machine: { cpus: os.cpus().length, memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      server: version.split(',')[0]!,
      creation_tps_by_clients: creation,
      floor_tps_by_clients: floor,
      select1_tps_by_clients: select1Tps,
      creation_to_floor_ratio_at_8: creation[8]! / floor[8]!,
      commit_flush: {
        floor_tps_sync_off_at_8: floorAsync,
        creation_tps_sync_off_at_8: oursAsync,
        floor_flush_share: 1 - floor[8]! / floorAsync,
        creation_flush_share: 1 - creation[8]! / oursAsync,
        creation_to_floor_ratio_sync_off_at_8: oursAsync / floorAsync,
      },
      load_generator_headroom_at_8: select1Tps[8]! / creation[8]!,
      replay: { ...replay },
      replay_to_create_latency_ratio: replay.replay_ms / replay.fresh_ms,
      ulid: { ...ulid },
      ulid_to_uuid_time_ratio: ulid.ulid_ms / ulid.uuid_ms,
      storm,
      storm_errors: storm.errors + strategy.ours_idempotency_key!.errors,
      strategies: strategy,
      duration_s: Math.round((Date.now() - started) / 1000),
    };
    const outDir = path.join(root, 'bench', 'results');
    await mkdir(outDir, { recursive: true });
    const files = renderReport(results);
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(outDir, name), text);
    await rm(dir, { recursive: true, force: true });
    const readmePath = path.join(root, 'README.md');
    const readme = await readFile(readmePath, 'utf8');
    const marked = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/;
    if (marked.test(readme)) {
      await writeFile(readmePath, readme.replace(marked, `<!-- bench:start -->\n${readmeSection(results)}\n<!-- bench:end -->`));
    }

    console.log(`creation_to_floor_ratio_at_8   ${results.creation_to_floor_ratio_at_8.toFixed(2)}  (target >= 0.70)`);
    console.log(`replay_to_create_latency_ratio ${results.replay_to_create_latency_ratio.toFixed(2)}  (target <= 0.50)`);
    console.log(`ulid_to_uuid_time_ratio        ${results.ulid_to_uuid_time_ratio.toFixed(2)}  (target <= 3.0)`);
    console.log(`storm_errors                   ${results.storm_errors}  (target 0)`);
    console.log(`wrote bench/results/latest.md, latest.json, throughput.svg, strategies.svg in ${results.duration_s} s`);
  } finally {
    await db?.dispose();
  }
}

main().catch((e: unknown) => {
  console.error(`[bench] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

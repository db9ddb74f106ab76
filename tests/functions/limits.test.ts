/**
 * Isolation under load: each caller has a bounded number of requests in
 * flight and queued (then 503 with Retry-After), every database call runs
 * under a statement timeout, and one user's flood leaves another user's
 * latency near its idle value. Measured on loopback with real connections.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createUser, type Sql } from '../helpers/db.ts';
import { KEYS, sessionFor, startEdgeRuntime, type EdgeRuntime } from '../helpers/edge.ts';

let sql: Sql;
let alice: string;

beforeAll(async () => {
  sql = connect(3);
  alice = await createUser(sql);
});
afterAll(async () => {
  await sql?.end();
});

const post = (edge: EdgeRuntime, name: string, headers: Record<string, string>, body: unknown) =>
  fetch(`${edge.url}/functions/v1/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function newBuild(edge: EdgeRuntime): Promise<string> {
  const res = await post(edge, 'create-project', { authorization: `Bearer ${sessionFor(alice)}` }, { name: `limits ${Math.random()}` });
  expect(res.status).toBe(201);
  return ((await res.json()) as { buildId: string }).buildId;
}

/** Holds the build's row lock in another transaction until `release` is called. */
async function holdBuildLock(buildId: string): Promise<{ release: () => void; done: Promise<unknown> }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const done = sql.begin(async (tx) => {
    await tx`select 1 from public.project_build_metrics where build_id = ${buildId} for update`;
    locked();
    await released;
  });
  await isLocked;
  return { release, done };
}

/** Resolves once `n` backends of the functions wait on a lock (observable state, not a sleep). */
async function waitForLockWaiters(n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and application_name = 'projects-core-sdk'`;
    if (row!.n >= n) return;
  }
  throw new Error(`fewer than ${n} function calls wait on the lock`);
}

describe('per-caller limits', () => {
  it('past its in-flight cap and queue, a caller gets 503 with Retry-After at once; others are served', async () => {
    const edge = await startEdgeRuntime({ EDGE_CALLER_IN_FLIGHT: '1', EDGE_CALLER_QUEUE: '1', EDGE_STATEMENT_TIMEOUT_MS: '30000' });
    try {
      const buildId = await newBuild(edge);
      const lock = await holdBuildLock(buildId);
      const worker = { apikey: KEYS.secretKey };
      // Five at once: one runs (and waits on the lock), one queues, three are refused at once.
      const outcomes = Array.from({ length: 5 }, () => post(edge, 'complete-build', worker, { buildId, status: 'completed' }));
      const settled: Response[] = [];
      for (const p of outcomes) void p.then((r) => settled.push(r));
      await waitForLockWaiters(1);
      const deadline = Date.now() + 10_000;
      while (settled.length < 3 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      expect(settled.map((r) => r.status)).toEqual([503, 503, 503]);
      expect(settled[0]!.headers.get('retry-after')).toBe('1');
      expect(await settled[0]!.json()).toMatchObject({ code: 'too_many_requests' });
      // Another caller is not behind this one's queue.
      const other = await post(edge, 'create-project', { authorization: `Bearer ${sessionFor(alice)}` }, { name: 'not queued' });
      expect(other.status).toBe(201);
      lock.release();
      await lock.done;
      const all = await Promise.all(outcomes);
      expect(all.map((r) => r.status).sort()).toEqual([200, 200, 503, 503, 503]);
    } finally {
      await edge.stop();
    }
  });

  it('every database call runs under the statement timeout: a blocked call answers 503 statement_timeout', async () => {
    const edge = await startEdgeRuntime({ EDGE_STATEMENT_TIMEOUT_MS: '300' });
    try {
      const buildId = await newBuild(edge);
      const lock = await holdBuildLock(buildId);
      try {
        const started = Date.now();
        const res = await post(edge, 'complete-build', { apikey: KEYS.secretKey }, { buildId, status: 'completed' });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ code: 'statement_timeout' });
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        lock.release();
        await lock.done;
      }
    } finally {
      await edge.stop();
    }
  });
});

/** Percentile of sorted latencies. */
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** A flood from another process (so the victim's client loop is not the one flooding). */
function flood(url: string, token: string, total: number, concurrency: number): { done: Promise<Record<string, number>> } {
  // node:http with keep-alive: a light client, so the flood's own CPU does not crowd the machine.
  const script = `
    import http from 'node:http';
    const [url, token, total, concurrency] = process.argv.slice(1);
    const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
    const target = new URL(url + '/functions/v1/create-project');
    let sent = 0; const statuses = {};
    const once = (body) => new Promise((resolve) => {
      const req = http.request(target, { method: 'POST', agent, headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
    async function lane() {
      while (sent < Number(total)) {
        const status = await once(JSON.stringify({ name: 'flood ' + process.pid + ' ' + ++sent }));
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }
    await Promise.all(Array.from({ length: Number(concurrency) }, lane));
    agent.destroy();
    console.log(JSON.stringify(statuses));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, url, token, String(total), String(concurrency)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  return { done: new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`flood exited ${code}`))))) };
}

describe('flood isolation', () => {
  it("one user's flood (3 × 500 requests, 48 at once) keeps another user's p99 under 10x its idle p99", async () => {
    const edge = await startEdgeRuntime();
    try {
      const victim = await createUser(sql);
      const attacker = await createUser(sql);
      const victimBuild = await newBuildOf(edge, victim);
      const victimCall = async () => {
        const t = performance.now();
        const res = await fetch(`${edge.url}/functions/v1/build-status?buildId=${victimBuild}`, { headers: { authorization: `Bearer ${sessionFor(victim)}` } });
        await res.text();
        expect(res.status).toBe(200);
        return performance.now() - t;
      };
      for (let i = 0; i < 20; i++) await victimCall(); // warm up
      // Three rounds of idle then flooded, so both see the same ambient load of the machine.
      const idle: number[] = [];
      const loaded: number[] = [];
      const counts: Record<string, number> = {};
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 100; i++) idle.push(await victimCall());
        const attack = flood(edge.url, sessionFor(attacker), 500, 48);
        let finished = false;
        const statuses = attack.done.finally(() => (finished = true));
        // Only requests sent while the flood runs count.
        while (!finished) loaded.push(await victimCall());
        for (const [status, n] of Object.entries(await statuses)) counts[status] = (counts[status] ?? 0) + n;
      }
      expect(loaded.length).toBeGreaterThanOrEqual(50);

      idle.sort((a, b) => a - b);
      loaded.sort((a, b) => a - b);
      const report = {
        idle: { n: idle.length, p50: +pct(idle, 50).toFixed(2), p99: +pct(idle, 99).toFixed(2) },
        flooded: { n: loaded.length, p50: +pct(loaded, 50).toFixed(2), p99: +pct(loaded, 99).toFixed(2) },
        attacker: counts,
      };
      console.log(`[flood] ${JSON.stringify(report)}`);
      expect(counts['201']).toBeGreaterThan(0);
      expect(counts['500'] ?? 0).toBe(0);
      expect(report.flooded.p99).toBeLessThan(10 * report.idle.p99);
    } finally {
      await edge.stop();
    }
  }, 120_000);
});

async function newBuildOf(edge: EdgeRuntime, user: string): Promise<string> {
  const res = await post(edge, 'create-project', { authorization: `Bearer ${sessionFor(user)}` }, { name: 'victim' });
  expect(res.status).toBe(201);
  return ((await res.json()) as { buildId: string }).buildId;
}

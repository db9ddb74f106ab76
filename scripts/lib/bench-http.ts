/**
 * The HTTP path against direct SQL: the same creations (a distinct user per
 * caller, a random name, no key) by N concurrent callers for a fixed time,
 * once through the create-project edge function (Deno serving
 * supabase/functions on loopback, user JWTs) and once from Node with the SDK
 * over postgres.js (what the function does inside). Throughput, p50/p99, and
 * the CPU each path spends per request (Deno's, and Node's SDK), which the
 * machine's load does not blur as it blurs throughput.
 *
 * The callers use node:http with keep-alive: fetch (undici) costs the load
 * generator three times the CPU per request, taken from the same cores the
 * server needs.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { createPostgresClient, fromPostgres } from '../../src/index.ts';
import { freePort } from './cluster.ts';
import { serveFunctions } from './functions.ts';
import { userJwt } from './jwt.ts';
import { generateLocalKeys, hostedFunctionEnv } from './keys.ts';

export interface PathResult {
  requests: number;
  errors: number;
  per_second: number;
  p50_ms: number;
  p99_ms: number;
  /** CPU time per request of the process serving it (Deno for HTTP, Node's SDK for SQL). */
  cpu_us_per_request: number;
}

export interface HttpResults {
  callers: number;
  seconds: number;
  edge_pool_size: number;
  http: PathResult;
  sql: PathResult;
  ratio: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** CPU time (user + system) of a process in µs, from /proc. */
function processCpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // clock ticks of 10 ms
}

/** Runs `once` in `callers` loops for `seconds`; each loop gets its index. */
async function load(callers: number, seconds: number, once: (caller: number, i: number) => Promise<void>, cpuUs: () => number): Promise<PathResult> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpu0 = cpuUs();
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        try {
          await once(caller, i);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const cpu = cpuUs() - cpu0;
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    per_second: latencies.length / elapsed,
    p50_ms: quantile(latencies, 0.5),
    p99_ms: quantile(latencies, 0.99),
    cpu_us_per_request: cpu / Math.max(1, latencies.length + errors),
  };
}

export async function benchHttp(dbUrl: string, opts: { callers: number; seconds: number; poolSize: number }): Promise<HttpResults> {
  const { callers, seconds, poolSize } = opts;
  const owner = postgres(dbUrl, { max: 1, onnotice: () => undefined });
  const users = (await owner<{ id: string }[]>`select id from bench.users order by n limit ${callers}`).map((r) => r.id);
  await owner.end();
  const body = (caller: number, i: number) => JSON.stringify({ name: `Http ${caller} ${i} ${Math.random()}`, framework: 'react', prompt: 'a bench prompt' });

  // The functions as hosted Supabase runs them: its variables only, sessions signed ES256.
  const keys = generateLocalKeys();
  const { SUPABASE_URL: _noAuthServer, ...vars } = hostedFunctionEnv(keys, { supabaseUrl: '', dbUrl });
  const edge = await serveFunctions({ ...vars, EDGE_DB_POOL_SIZE: String(poolSize) }, await freePort());
  const agent = new http.Agent({ keepAlive: true, maxSockets: callers });
  let viaHttp: PathResult;
  try {
    const { port } = new URL(edge.url);
    const tokens = users.map((u) => userJwt(u, keys.signingKey));
    const post = (caller: number, i: number) =>
      new Promise<void>((resolve, reject) => {
        const payload = body(caller, i);
        const req = http.request(
          {
            host: '127.0.0.1', port, path: '/functions/v1/create-project', method: 'POST', agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${tokens[caller]}` },
          },
          (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`create-project answered ${res.statusCode}`))));
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    const denoCpu = () => processCpuUs(edge.child.pid!);
    await load(callers, 1, post, denoCpu); // warm-up: Deno compiles, the pool opens
    viaHttp = await load(callers, seconds, post, denoCpu);
  } finally {
    agent.destroy();
    await edge.stop();
  }

  const pool = createPostgresClient(dbUrl, { max: callers });
  try {
    const apis = users.map((u) => fromPostgres(pool, { actAs: { userId: u }, logger: null }));
    const create = async (caller: number, i: number) => {
      await apis[caller]!.createCompleteProject(JSON.parse(body(caller, i)) as { name: string });
    };
    const nodeCpu = () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    };
    await load(callers, 1, create, nodeCpu);
    const viaSql = await load(callers, seconds, create, nodeCpu);
    return { callers, seconds, edge_pool_size: poolSize, http: viaHttp, sql: viaSql, ratio: viaHttp.per_second / viaSql.per_second };
  } finally {
    await pool.end();
  }
}

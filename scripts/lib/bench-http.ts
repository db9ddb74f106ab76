/**
 * The HTTP path against direct SQL: the same creations (a distinct user per
 * caller, a random name, no key) by N concurrent callers for a fixed time,
 * once through the create-project edge function (Deno serving
 * supabase/functions on loopback, user JWTs) and once from Node with the SDK
 * over postgres.js (what the function does inside). Throughput and p50/p99.
 */
import postgres from 'postgres';
import { createPostgresClient, fromPostgres } from '../../src/index.ts';
import { startEdgeRuntime } from './edge-runtime.ts';
import { userJwt } from './jwt.ts';

const JWT_SECRET = 'bench-only-jwt-secret-with-at-least-32-characters';

export interface PathResult {
  requests: number;
  errors: number;
  per_second: number;
  p50_ms: number;
  p99_ms: number;
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

/** Runs `once` in `callers` loops for `seconds`; each loop gets its index. */
async function load(callers: number, seconds: number, once: (caller: number, i: number) => Promise<void>): Promise<PathResult> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
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
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, per_second: latencies.length / elapsed, p50_ms: quantile(latencies, 0.5), p99_ms: quantile(latencies, 0.99) };
}

export async function benchHttp(dbUrl: string, opts: { callers: number; seconds: number; poolSize: number }): Promise<HttpResults> {
  const { callers, seconds, poolSize } = opts;
  const owner = postgres(dbUrl, { max: 1, onnotice: () => undefined });
  const users = (await owner<{ id: string }[]>`select id from bench.users order by n limit ${callers}`).map((r) => r.id);
  await owner.end();
  const body = (caller: number, i: number) => ({ name: `Http ${caller} ${i} ${Math.random()}`, framework: 'react', prompt: 'a bench prompt' });

  const edge = await startEdgeRuntime({ SUPABASE_DB_URL: dbUrl, SUPABASE_JWT_SECRET: JWT_SECRET, EDGE_DB_POOL_SIZE: String(poolSize) });
  let http: PathResult;
  try {
    const tokens = users.map((u) => userJwt(u, JWT_SECRET));
    const post = async (caller: number, i: number) => {
      const res = await fetch(`${edge.url}/functions/v1/create-project`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[caller]}` },
        body: JSON.stringify(body(caller, i)),
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`create-project answered ${res.status}`);
    };
    await load(callers, 1, post); // warm-up: Deno compiles, the pool opens
    http = await load(callers, seconds, post);
  } finally {
    await edge.stop();
  }

  const pool = createPostgresClient(dbUrl, { max: callers });
  try {
    const apis = users.map((u) => fromPostgres(pool, { actAs: { userId: u }, logger: null }));
    const create = async (caller: number, i: number) => {
      await apis[caller]!.createCompleteProject(body(caller, i));
    };
    await load(callers, 1, create);
    const sql = await load(callers, seconds, create);
    return { callers, seconds, edge_pool_size: poolSize, http, sql, ratio: http.per_second / sql.per_second };
  } finally {
    await pool.end();
  }
}

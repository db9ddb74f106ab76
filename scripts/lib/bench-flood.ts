/**
 * Flood isolation: one user floods create-project while another polls its
 * build. The victim's latency idle and flooded (p50/p99, in alternating rounds
 * so both see the same ambient load), what the attacker was answered, and
 * whether the victim was ever refused. The suites assert what cannot depend on
 * the machine's speed (the victim is never refused, the attacker is capped with
 * 503, nothing answers 500); `npm run bench` reports the latency ratio against
 * its target, measured in the same run.
 */
import { spawn } from 'node:child_process';
import postgres from 'postgres';
import { freePort } from './cluster.ts';
import { serveFunctions } from './functions.ts';
import { userJwt } from './jwt.ts';
import { generateLocalKeys, hostedFunctionEnv } from './keys.ts';

export interface Latencies {
  n: number;
  p50_ms: number;
  p99_ms: number;
}

export interface FloodResults {
  idle: Latencies;
  flooded: Latencies;
  /** flooded p99 / idle p99 */
  p99_ratio: number;
  /** The attacker's answers by HTTP status. */
  attacker: Record<string, number>;
  /** The victim's answers that were not 200. */
  victim_refused: number;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const summary = (xs: number[]): Latencies => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50_ms: +pct(s, 50).toFixed(2), p99_ms: +pct(s, 99).toFixed(2) };
};

/** `total` create-project requests, `concurrency` at once, from another process (so the victim's loop is not the one flooding). */
export function flood(url: string, token: string, total: number, concurrency: number): Promise<Record<string, number>> {
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
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`flood exited ${code}`)))));
}

/**
 * Rounds of `idle` victim polls, then victim polls for as long as a flood of
 * `floodRequests` (`floodConcurrency` at once) runs. The edge functions at
 * `edgeUrl` must already know both users' sessions.
 */
export async function measureFlood(opts: {
  edgeUrl: string;
  victimToken: string;
  attackerToken: string;
  rounds: number;
  idle: number;
  floodRequests: number;
  floodConcurrency: number;
}): Promise<FloodResults> {
  const { edgeUrl } = opts;
  const created = await fetch(`${edgeUrl}/functions/v1/create-project`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.victimToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'victim' }),
  });
  if (created.status !== 201) throw new Error(`create-project answered ${created.status}: ${await created.text()}`);
  const { buildId } = (await created.json()) as { buildId: string };
  let refused = 0;
  const victimCall = async () => {
    const t = performance.now();
    const res = await fetch(`${edgeUrl}/functions/v1/build-status?buildId=${buildId}`, { headers: { authorization: `Bearer ${opts.victimToken}` } });
    await res.text();
    if (res.status !== 200) refused++;
    return performance.now() - t;
  };
  for (let i = 0; i < 20; i++) await victimCall(); // warm-up
  refused = 0;
  const idle: number[] = [];
  const loaded: number[] = [];
  const attacker: Record<string, number> = {};
  for (let round = 0; round < opts.rounds; round++) {
    for (let i = 0; i < opts.idle; i++) idle.push(await victimCall());
    let finished = false;
    const statuses = flood(edgeUrl, opts.attackerToken, opts.floodRequests, opts.floodConcurrency).finally(() => (finished = true));
    // Only requests sent while the flood runs count.
    while (!finished) loaded.push(await victimCall());
    for (const [status, n] of Object.entries(await statuses)) attacker[status] = (attacker[status] ?? 0) + n;
  }
  const i = summary(idle);
  const f = summary(loaded);
  return { idle: i, flooded: f, p99_ratio: f.p99_ms / i.p99_ms, attacker, victim_refused: refused };
}

/** The bench's flood: the functions as hosted runs them (pool of `poolSize`), two bench users. */
export async function benchFlood(dbUrl: string, opts: { rounds: number; poolSize: number }): Promise<FloodResults> {
  const owner = postgres(dbUrl, { max: 1, onnotice: () => undefined });
  const [victim, attacker] = (await owner<{ id: string }[]>`select id from bench.users order by n limit 2`).map((r) => r.id);
  await owner.end();
  const keys = generateLocalKeys();
  const { SUPABASE_URL: _noAuthServer, ...vars } = hostedFunctionEnv(keys, { supabaseUrl: '', dbUrl });
  const edge = await serveFunctions({ ...vars, EDGE_DB_POOL_SIZE: String(opts.poolSize) }, await freePort());
  try {
    return await measureFlood({
      edgeUrl: edge.url,
      victimToken: userJwt(victim!, keys.signingKey),
      attackerToken: userJwt(attacker!, keys.signingKey),
      rounds: opts.rounds,
      idle: 100,
      floodRequests: 500,
      floodConcurrency: 48,
    });
  } finally {
    await edge.stop();
  }
}

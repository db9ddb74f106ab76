/**
 * npm start: the main job.
 *
 * 1. The database: DATABASE_URL, or the embedded PostgreSQL 17 (started if needed).
 * 2. Migrations (bootstrap on plain PostgreSQL, then dbmate up).
 * 3. The edge functions (Deno, supabase/functions/_local/serve.ts) on a private port.
 * 4. The HTTP gateway on 127.0.0.1:API_PORT (54321), shaped like Supabase's local
 *    gateway: /functions/v1/<name> → the edge runtime; /functions/v1/health answers
 *    itself with the database's reachability and the applied migration version.
 *
 * Prints the URLs, the database URL and local anon/service_role keys, then "ready".
 * SIGINT/SIGTERM stop everything it started (Deno, and Postgres if it started it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import postgres from 'postgres';
import { freePort, portInUse, type Cluster } from './lib/cluster.ts';
import { config, root } from './lib/config.ts';
import { ensureEmbedded } from './lib/embedded.ts';
import { anonKey, serviceRoleKey } from './lib/jwt.ts';
import { appliedVersion, migrate } from './lib/migrate.ts';

// Output piped into a reader that quits (| head) must not kill us before cleanup.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const t0 = Date.now();
const log = (m: string) => console.log(m);
const FUNCTIONS = ['create-project', 'start-build', 'build-status', 'complete-build', 'get-or-create-client', 'project-feed'];

let cluster: Cluster | undefined;
let edge: ChildProcess | undefined;
let server: http.Server | undefined;
let pool: postgres.Sql | undefined;
let stopping = false;

let shuttingDown: Promise<never> | undefined;

/** Stops everything this process started, once, however many signals or exits call it. */
function shutdown(code: number, why?: string): Promise<never> {
  shuttingDown ??= (async () => {
    stopping = true;
    if (why) log(why);
    server?.close();
    server?.closeAllConnections();
    if (edge && edge.exitCode === null && edge.signalCode === null) {
      const child = edge;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    await pool?.end({ timeout: 2 }).catch(() => undefined);
    if (cluster) {
      await cluster.stop().catch((e: unknown) => console.error(e));
      log('embedded PostgreSQL stopped');
    }
    process.exit(code);
  })();
  return shuttingDown;
}

function startEdgeRuntime(dbUrl: string, port: number): Promise<ChildProcess> {
  const deno = path.join(root, 'node_modules', '.bin', 'deno');
  const child = spawn(
    deno,
    [
      'run',
      '--quiet',
      '--config', 'supabase/functions/deno.json',
      `--allow-net=127.0.0.1,localhost,${new URL(dbUrl).hostname}`,
      '--allow-env',
      '--allow-read',
      'supabase/functions/_local/serve.ts',
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        SUPABASE_DB_URL: dbUrl,
        SUPABASE_URL: `http://127.0.0.1:${config.apiPort}`,
        SUPABASE_JWT_SECRET: config.jwtSecret,
        EDGE_RUNTIME_PORT: String(port),
      },
    },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the edge runtime did not start within 45 s')), 45_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the edge runtime (deno) exited with code ${code}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      const text = d.toString();
      process.stdout.write(text.replace(/^/gm, '[functions] '));
      if (text.includes('edge runtime listening')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.once('exit', (code, signal) => {
          // Ctrl-C reaches the whole process group: Deno may see it before we do.
          if (signal === 'SIGINT' || signal === 'SIGTERM') void shutdown(0, `\n${signal}: stopping`);
          else if (!stopping) void shutdown(1, `the edge runtime exited unexpectedly (code ${code})`);
        });
        resolve(child);
      }
    });
  });
}

/** A URL with its password masked (DATABASE_URL may hold a real one). */
function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function health(): Promise<{ status: number; body: unknown }> {
  const started = Date.now();
  try {
    const [row] = await pool!<{ version: string; server: string }[]>`
      select current_setting('server_version') as server, '' as version`;
    const migration = await appliedVersion(pool!);
    return {
      status: 200,
      body: {
        status: 'ok',
        database: { reachable: true, server: `PostgreSQL ${row!.server}`, migration, latencyMs: Date.now() - started },
        functions: FUNCTIONS,
      },
    };
  } catch (e) {
    return {
      status: 503,
      body: { status: 'degraded', database: { reachable: false, error: e instanceof Error ? e.message : String(e) } },
    };
  }
}

function proxy(req: http.IncomingMessage, res: http.ServerResponse, edgePort: number): void {
  const upstream = http.request(
    { host: '127.0.0.1', port: edgePort, method: req.method, path: req.url, headers: req.headers },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'the edge runtime is not reachable', code: 'bad_gateway' }));
  });
  req.pipe(upstream);
}

async function main(): Promise<void> {
  if (await portInUse(config.apiPort)) {
    throw new Error(`port ${config.apiPort} on 127.0.0.1 is already in use (is \`npm start\` running?); set API_PORT to another port`);
  }
  let dbUrl: string;
  if (config.databaseUrl) {
    dbUrl = config.databaseUrl;
    log(`database: DATABASE_URL (${new URL(dbUrl).host})`);
  } else {
    const db = await ensureEmbedded(log);
    if (db.started) cluster = db.cluster;
    dbUrl = db.url;
  }
  await migrate(dbUrl, log);
  pool = postgres(dbUrl, { max: 2, onnotice: () => undefined, idle_timeout: 30 });

  const edgePort = await freePort();
  edge = await startEdgeRuntime(dbUrl, edgePort);

  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/functions/v1/health' || url.pathname === '/functions/v1/health/') {
      void health().then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        res.end(JSON.stringify(body));
      });
      return;
    }
    if (url.pathname.startsWith('/functions/v1/')) return proxy(req, res, edgePort);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `nothing at ${url.pathname}; functions live under /functions/v1/<name>`, code: 'not_found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server!.once('error', reject);
    server!.listen(config.apiPort, '127.0.0.1', () => resolve());
  });

  const api = `http://127.0.0.1:${config.apiPort}`;
  log('');
  log(`API URL:        ${api}`);
  log(`Functions URL:  ${api}/functions/v1/<name>  (${FUNCTIONS.join(', ')})`);
  log(`Health:         ${api}/functions/v1/health`);
  log(`DB URL:         ${config.databaseUrl ? redact(dbUrl) : dbUrl}`);
  log(`anon key:       ${anonKey(config.jwtSecret)}`);
  log(`service_role key: ${serviceRoleKey(config.jwtSecret)}`);
  log(`JWT secret:     ${process.env.SUPABASE_JWT_SECRET ? 'SUPABASE_JWT_SECRET' : "the Supabase CLI's local default (set SUPABASE_JWT_SECRET to change it)"}`);
  log('');
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${api} (Ctrl-C stops everything)`);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(0, `\n${signal}: stopping`));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  void shutdown(1);
});

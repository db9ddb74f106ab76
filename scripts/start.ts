/**
 * npm start: the main job.
 *
 * 1. The database: DATABASE_URL, or the embedded PostgreSQL 17 (started if needed;
 *    one left running by a killed `npm start` is adopted, any other is reported).
 * 2. Migrations (bootstrap on plain PostgreSQL, then dbmate up).
 * 3. The edge functions through the entry of `npm run functions:serve`, on a private
 *    port, with only the variables hosted Supabase gives functions, for the local
 *    keys (scripts/lib/keys.ts: ES256 signing key, sb_publishable_/sb_secret_ keys).
 * 4. The HTTP gateway on 127.0.0.1:API_PORT (54321), shaped like Supabase's local
 *    gateway: /functions/v1/<name> → the functions; /functions/v1/health answers
 *    itself with the database's reachability and the applied migration version;
 *    /auth/v1/.well-known/jwks.json publishes the signing key.
 *
 * Prints the URLs and keys, records them in the stack state (.data/stack.json)
 * for the other scripts, then "ready". SIGINT/SIGTERM stop everything it
 * started (Deno, and Postgres if it started or adopted it) and clear the state.
 */
import http from 'node:http';
import postgres from 'postgres';
import { freePort, portInUse, type Cluster } from './lib/cluster.ts';
import { config, setting } from './lib/config.ts';
import { explainConnectionError, redact } from './lib/database.ts';
import { ensureEmbedded } from './lib/embedded.ts';
import { serveFunctions, type FunctionsProcess } from './lib/functions.ts';
import { hostedFunctionEnv, localKeys } from './lib/keys.ts';
import { appliedVersion, migrate } from './lib/migrate.ts';
import { clearStack, pidAlive, readStackFile, stackFileLabel, writeStack, type StackState } from './lib/stack.ts';
import { HTTP_FUNCTIONS } from '../src/functions.ts';

// Output piped into a reader that quits (| head) must not kill us before cleanup.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const t0 = Date.now();
const log = (m: string) => console.log(m);

let cluster: Cluster | undefined;
let edge: FunctionsProcess | undefined;
let server: http.Server | undefined;
let pool: postgres.Sql | undefined;
let stopping = false;

let shuttingDown: Promise<never> | undefined;
/** The record of `npm run db:start` whose database this stack uses (restored on exit). */
let sharedDbStart: StackState | undefined;

/** Stops everything this process started, once, however many signals or exits call it. */
function shutdown(code: number, why?: string): Promise<never> {
  shuttingDown ??= (async () => {
    stopping = true;
    if (why) log(why);
    server?.close();
    server?.closeAllConnections();
    await edge?.stop();
    await pool?.end({ timeout: 2 }).catch(() => undefined);
    clearStack((s) => s.owner === 'start' && s.pid === process.pid);
    // A database `npm run db:start` started keeps running: so does its record.
    if (sharedDbStart && !cluster) writeStack(sharedDbStart);
    if (cluster) {
      await cluster.stop().catch((e: unknown) => console.error(e));
      log('embedded PostgreSQL stopped');
    }
    process.exit(code);
  })();
  return shuttingDown;
}

function startEdgeRuntime(vars: Record<string, string>, port: number): Promise<FunctionsProcess> {
  return serveFunctions(vars, port, { onOutput: (t) => process.stdout.write(t.replace(/^(?=.)/gm, '[functions] ')) }).then((fns) => {
    fns.child.once('exit', (code, signal) => {
      // Ctrl-C reaches the whole process group: Deno may see it before we do.
      if (signal === 'SIGINT' || signal === 'SIGTERM') void shutdown(0, `\n${signal}: stopping`);
      else if (!stopping) void shutdown(1, `the edge runtime exited unexpectedly (code ${code})`);
    });
    return fns;
  });
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
        functions: HTTP_FUNCTIONS,
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

/** The command that stops the embedded database of these settings. */
function dbStopCommand(): string {
  const vars = [
    ...(process.env.DB_DATA_DIR ? [`DB_DATA_DIR=${process.env.DB_DATA_DIR}`] : []),
    ...(process.env.DB_PORT ? [`DB_PORT=${process.env.DB_PORT}`] : []),
  ];
  return [...vars, 'npm run db:stop'].join(' ');
}

/** The embedded database: started here, adopted (left by a killed `npm start`), or shared and reported. */
async function embeddedDatabase(previous: StackState | null): Promise<string> {
  const db = await ensureEmbedded(log);
  if (db.started) {
    cluster = db.cluster;
    return db.url;
  }
  const same = previous?.embedded?.dataDir === config.dbDataDir;
  if (same && previous!.owner === 'start' && previous!.ownsDatabase && !pidAlive(previous!.pid)) {
    cluster = db.cluster;
    log(`adopted the embedded PostgreSQL (pid ${db.runningPid}) left running by an \`npm start\` that was killed (pid ${previous!.pid}): Ctrl-C stops it`);
  } else if (same && previous!.owner === 'db:start') {
    sharedDbStart = previous!;
    log(`the embedded PostgreSQL was started by \`npm run db:start\`: it keeps running after Ctrl-C (stop it with \`${dbStopCommand()}\`)`);
  } else {
    log(`the embedded PostgreSQL (pid ${db.runningPid}) was already running, not started by this command: it keeps running after Ctrl-C (stop it with \`${dbStopCommand()}\`)`);
  }
  return db.url;
}

async function main(): Promise<void> {
  if (await portInUse(config.apiPort)) {
    throw new Error(`${setting('API_PORT')} = ${config.apiPort}: that port on 127.0.0.1 is already in use (is \`npm start\` running? \`npm run db:status\` says); set API_PORT to a free port`);
  }
  const previous = readStackFile();
  let dbUrl: string;
  if (config.databaseUrl) {
    dbUrl = config.databaseUrl;
    log(`database: ${setting('DATABASE_URL')} (${redact(dbUrl)})`);
  } else {
    dbUrl = await embeddedDatabase(previous);
  }
  try {
    await migrate(dbUrl, log);
  } catch (e) {
    throw explainConnectionError(e, {
      url: dbUrl,
      origin: config.databaseUrl ? setting('DATABASE_URL') : 'the embedded database',
      remedy: config.databaseUrl ? 'start that server, or fix or unset DATABASE_URL' : `check ${config.dbDataDir}/server.log`,
    });
  }
  pool = postgres(dbUrl, { max: 2, onnotice: () => undefined, idle_timeout: 30 });

  const api = `http://127.0.0.1:${config.apiPort}`;
  const keys = localKeys();
  const edgePort = await freePort();
  edge = await startEdgeRuntime(hostedFunctionEnv(keys, { supabaseUrl: api, dbUrl }), edgePort);

  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/functions/v1/health' || url.pathname === '/functions/v1/health/') {
      void health().then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        res.end(JSON.stringify(body));
      });
      return;
    }
    // The signing keys' public half, where Supabase Auth publishes it.
    if (url.pathname === '/auth/v1/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'cache-control': 'public, max-age=600' });
      res.end(JSON.stringify(keys.jwks));
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

  const embedded = config.databaseUrl ? undefined : { port: Number(new URL(dbUrl).port), dataDir: config.dbDataDir, pid: await cluster?.runningPid() ?? null };
  writeStack({
    owner: 'start',
    pid: process.pid,
    startedAt: new Date().toISOString(),
    databaseUrl: dbUrl,
    embedded,
    ownsDatabase: cluster !== undefined,
    apiUrl: api,
    publishableKey: keys.publishableKey,
    secretKey: keys.secretKey,
    anonKey: keys.anonKey,
    serviceRoleKey: keys.serviceRoleKey,
  });

  log('');
  log(`API URL:          ${api}`);
  log(`Functions URL:    ${api}/functions/v1/<name>  (${HTTP_FUNCTIONS.join(', ')})`);
  log(`Health:           ${api}/functions/v1/health`);
  log(`JWKS:             ${api}/auth/v1/.well-known/jwks.json  (ES256 key ${keys.signingKey.kid}; \`npm run dev:user\` signs sessions with it)`);
  log(`DB URL:           ${config.databaseUrl ? redact(dbUrl) : dbUrl}`);
  log(`publishable key:  ${keys.publishableKey}`);
  log(`secret key:       ${keys.secretKey}`);
  log(`anon key:         ${keys.anonKey}  (legacy)`);
  log(`service_role key: ${keys.serviceRoleKey}  (legacy)`);
  log(`stack state:      ${stackFileLabel()}  (a second terminal: eval "$(npm run -s env)")`);
  log('');
  const stops = cluster || config.databaseUrl ? 'Ctrl-C stops everything' : `Ctrl-C stops the gateway and the functions; the database keeps running: \`${dbStopCommand()}\``;
  log(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${api} (${stops})`);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(0, `\n${signal}: stopping`));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  void shutdown(1);
});

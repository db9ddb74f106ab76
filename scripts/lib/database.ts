/**
 * Which database a script talks to, and failures that say what to do.
 *
 * 1. DATABASE_URL, from the environment or .env;
 * 2. else the running stack recorded in the stack state, unless DB_PORT or
 *    DB_DATA_DIR name another one;
 * 3. else the embedded database of DB_PORT / DB_DATA_DIR (started if needed).
 */
import postgres from 'postgres';
import type { Cluster } from './cluster.ts';
import { config, setting, sourceOf } from './config.ts';
import { ensureEmbedded } from './embedded.ts';
import { describeStack, runningStack } from './stack.ts';

export interface Target {
  url: string;
  /** How a message names it: "DATABASE_URL (from .env)", "the running stack of `npm start` (...)", ... */
  origin: string;
  /** What to do when it cannot be reached. */
  remedy: string;
  /** Set when this call started the embedded database (the caller stops it). */
  startedCluster?: Cluster;
}

export async function resolveDatabase(log: (m: string) => void, opts: { start?: boolean } = {}): Promise<Target> {
  if (config.databaseUrl) {
    const where = sourceOf('DATABASE_URL') === '.env' ? 'fix DATABASE_URL in .env' : 'fix or unset DATABASE_URL in your environment';
    log(`database: ${setting('DATABASE_URL')} (${redact(config.databaseUrl)})`);
    return { url: config.databaseUrl, origin: setting('DATABASE_URL'), remedy: `start that server, or ${where} (unset, the running stack or the embedded database is used)` };
  }
  const stack = await runningStack();
  const portAgrees = sourceOf('DB_PORT') === 'default' || stack?.embedded?.port === config.dbPort;
  const dirAgrees = sourceOf('DB_DATA_DIR') === 'default' || stack?.embedded?.dataDir === config.dbDataDir;
  if (stack && portAgrees && dirAgrees) {
    log(`database: ${describeStack(stack)}`);
    return { url: stack.databaseUrl, origin: describeStack(stack), remedy: 'check that stack (`npm run db:status`), or restart it with `npm start`' };
  }
  const origin = `the embedded database (${setting('DB_PORT')} = ${config.dbPort}, ${setting('DB_DATA_DIR')} = ${config.dbDataDir})`;
  const db = await ensureEmbedded(log, { start: opts.start ?? true });
  return { url: db.url, origin, remedy: 'run `npm run db:start` (or `npm start`)', startedCluster: db.started ? db.cluster : undefined };
}

/** A URL with its password masked. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<not a URL>';
  }
}

/** Turns a connection failure into a sentence: which setting, from where, what happened, what to do. */
export function explainConnectionError(e: unknown, target: Pick<Target, 'url' | 'origin' | 'remedy'>): Error {
  const err = e as { code?: string; message?: string; errno?: string };
  let where = '';
  try {
    const u = new URL(target.url);
    where = `${u.hostname}:${u.port || 5432}`;
  } catch {
    return new Error(`${target.origin} is not a valid URL (expected postgresql://user:password@host:port/database); ${target.remedy}`);
  }
  const code = err.code ?? err.errno ?? '';
  const what =
    code === 'ECONNREFUSED' ? `connection refused: nothing listens on ${where}`
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `network: the host of ${where} cannot be resolved`
    : code === 'ETIMEDOUT' || code === 'CONNECT_TIMEOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? `network: ${where} does not answer`
    : code === '28P01' || code === '28000' ? `authentication: the server at ${where} refused the user or password`
    : code === '3D000' ? `the database named in the URL does not exist on ${where}`
    : null;
  if (!what) return e instanceof Error ? e : new Error(String(e));
  return new Error(`cannot use ${target.origin} (${redact(target.url)}): ${what}. Next: ${target.remedy}.`);
}

/** Opens a connection and proves it works, with an explained failure. */
export async function connectChecked(target: Target, options: postgres.Options<{}> = {}): Promise<postgres.Sql> {
  let sql: postgres.Sql;
  try {
    sql = postgres(target.url, { max: 1, onnotice: () => undefined, connect_timeout: 10, ...options });
  } catch (e) {
    throw explainConnectionError(e, target);
  }
  try {
    await sql`select 1`;
    return sql;
  } catch (e) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw explainConnectionError(e, target);
  }
}

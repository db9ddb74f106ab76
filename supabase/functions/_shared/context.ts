/**
 * What every function needs: the verified caller (auth.ts), and the SDK bound
 * to the database as that caller. The database is reached with the SDK's
 * postgres.js transport and SUPABASE_DB_URL (hosted Supabase sets it for
 * functions too), acting as the user the credential names, so row-level
 * security and auth.uid() apply exactly as through PostgREST.
 *
 * Limits (per function instance): a pool of EDGE_DB_POOL_SIZE connections
 * (3); each caller (a user, or a key) at most EDGE_CALLER_IN_FLIGHT calls
 * running (a third of the pool, at least 1: one caller's flood leaves most
 * connections, and the database's CPU, to everyone else) and
 * EDGE_CALLER_QUEUE waiting (8), then 503 with Retry-After; every database
 * call under a statement timeout of EDGE_STATEMENT_TIMEOUT_MS (5000 ms).
 */
import postgres from 'postgres';
import { createPostgresClient, fromPostgres, type ProjectsApi } from '@projects-core/sdk';
import { HttpError } from './http.ts';
import { createAuthenticator, type Claims } from './auth.ts';
import { CallerLimiter } from './limits.ts';

const env = (name: string) => Deno.env.get(name) || undefined;
const positive = (name: string, fallback: number) => {
  const n = Number(env(name) ?? fallback);
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : fallback;
};

const poolSize = positive('EDGE_DB_POOL_SIZE', 3);
const statementTimeoutMs = positive('EDGE_STATEMENT_TIMEOUT_MS', 5000);
const limiter = new CallerLimiter({
  inFlight: positive('EDGE_CALLER_IN_FLIGHT', Math.max(1, Math.floor(poolSize / 3))),
  queue: positive('EDGE_CALLER_QUEUE', 8),
});
const verify = createAuthenticator(env);

let pool: postgres.Sql | undefined;

function database(): postgres.Sql {
  if (!pool) {
    const url = env('SUPABASE_DB_URL');
    if (!url) throw new Error('SUPABASE_DB_URL is not set');
    pool = createPostgresClient(url, { max: poolSize, pooler: true });
  }
  return pool;
}

let readPool: postgres.Sql | null | undefined;

/**
 * A pool on a read replica, when one is configured: read-only calls (build
 * status, the feed) go there. Hosted projects set DB_READ_URL as a function secret
 * (names starting SUPABASE_ are reserved); SUPABASE_DB_READ_URL is read first
 * where it can be set (local, self-hosted).
 */
function readReplica(): postgres.Sql | undefined {
  if (readPool === undefined) {
    const url = Deno.env.get('SUPABASE_DB_READ_URL') || Deno.env.get('DB_READ_URL');
    readPool = url ? createPostgresClient(url, { max: Number(Deno.env.get('EDGE_DB_POOL_SIZE') ?? '3'), pooler: true }) : null;
  }
  return readPool ?? undefined;
}

export interface Caller {
  claims: Claims;
  api: ProjectsApi;
}

/** Authenticates the request and returns the SDK acting as its caller (a user, or service_role). */
export async function authenticate(req: Request, allowed: Claims['role'][]): Promise<Caller> {
  const { claims, callerKey } = await verify(req);
  if (!allowed.includes(claims.role)) {
    if (claims.role === 'anon') {
      throw new HttpError(401, 'unauthorized', 'this function needs a user session (Authorization: Bearer <access token>), not the anon or publishable key; locally `npm run dev:user` prints one');
    }
    const needs = allowed.includes('service_role') ? 'the secret key (apikey: sb_secret_...) or the service_role key' : 'a user session';
    throw new HttpError(403, 'permission_denied', `this function needs ${needs}`);
  }
  limiter.admit(callerKey);
  const actAs = claims.role === 'service_role' ? ('service_role' as const) : { userId: claims.sub! };
  const api = fromPostgres(database(), { actAs, read: readReplica(), logger: null, statementTimeoutMs });
  return { claims, api: limiter.bind(api, callerKey) };
}

/**
 * What every function needs: the verified caller, and the SDK bound to the
 * database as that caller. The database is reached with the SDK's postgres.js
 * transport and SUPABASE_DB_URL (hosted Supabase sets it for functions too),
 * acting as the user the JWT names, so row-level security and auth.uid()
 * apply exactly as through PostgREST. One small pool, reused across requests.
 */
import postgres from 'postgres';
import { createPostgresClient, fromPostgres, type ProjectsApi } from '@projects-core/sdk';
import { HttpError } from './http.ts';
import { loadJwks, verifyRequest, type Claims } from './jwt.ts';

const LOCAL_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

let pool: postgres.Sql | undefined;

function database(): postgres.Sql {
  if (!pool) {
    const url = Deno.env.get('SUPABASE_DB_URL');
    if (!url) throw new Error('SUPABASE_DB_URL is not set');
    pool = createPostgresClient(url, { max: Number(Deno.env.get('EDGE_DB_POOL_SIZE') ?? '3'), pooler: true });
  }
  return pool;
}

let readPool: postgres.Sql | null | undefined;

/**
 * A pool on a read replica, when one is configured: read-only calls (build
 * status) go there. Hosted projects set DB_READ_URL as a function secret
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

const jwks = loadJwks((name) => Deno.env.get(name));

export interface Caller {
  claims: Claims;
  api: ProjectsApi;
}

/** Verifies the JWT and returns the SDK acting as its subject (a user, or service_role). */
export async function authenticate(req: Request, allowed: Claims['role'][]): Promise<Caller> {
  const claims = await verifyRequest(req, { secret: Deno.env.get('SUPABASE_JWT_SECRET') ?? LOCAL_JWT_SECRET, jwks });
  if (!allowed.includes(claims.role)) {
    throw new HttpError(claims.role === 'anon' ? 401 : 403, 'permission_denied', `this function needs a ${allowed.join(' or ')} token`);
  }
  const actAs = claims.role === 'service_role' ? ('service_role' as const) : { userId: claims.sub! };
  return { claims, api: fromPostgres(database(), { actAs, read: readReplica(), logger: null }) };
}

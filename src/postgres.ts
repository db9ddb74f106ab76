/**
 * The postgres.js transport (servers, workers, edge functions): each call runs
 * in its own transaction that sets the role and request.jwt.claims exactly as
 * PostgREST does, so auth.uid() and RLS behave the same. Works behind
 * transaction-mode poolers: calls are never prepared and every setting is
 * transaction-local (`pooler: true` also keeps the pool's other queries unprepared).
 * With a read pool (a streaming replica), read-only calls go there.
 */
import postgres from 'postgres';
import { API_FUNCTIONS, SQL_FUNCTIONS } from './functions.ts';
import type { Transport } from './transport.ts';

/** Who a postgres.js call acts as: a user (role authenticated) or service_role. */
export type ActAs = { userId: string } | 'service_role';

export interface PostgresClientOptions {
  /** Pool size (default 5). */
  max?: number;
  /** Behind a transaction-mode pooler (Supavisor :6543, PgBouncer): no prepared statements. */
  pooler?: boolean;
  /** Extra postgres.js options. */
  options?: postgres.Options<{}>;
}

/** A postgres.js pool configured for the SDK. */
export function createPostgresClient(url: string, opts: PostgresClientOptions = {}): postgres.Sql {
  return postgres(url, {
    max: opts.max ?? 5,
    prepare: !opts.pooler,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => undefined,
    connection: { application_name: 'projects-core-sdk' },
    ...opts.options,
  });
}

function claimsFor(actAs: ActAs): { role: string; claims: string } {
  if (actAs === 'service_role') return { role: 'service_role', claims: JSON.stringify({ role: 'service_role' }) };
  return { role: 'authenticated', claims: JSON.stringify({ sub: actAs.userId, role: 'authenticated', aud: 'authenticated' }) };
}

/**
 * A SQL literal that means the same whatever standard_conforming_strings is:
 * an E'' string with backslashes and quotes escaped. Text cannot hold NUL,
 * so a value containing one is refused before it reaches the server.
 */
function literal(value: string | null): string {
  if (value === null) return 'null';
  if (value.includes('\0')) throw Object.assign(new Error('text must not contain NUL characters'), { code: '22021' });
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Settings older PostgREST versions set per claim, read first by Supabase's auth.* functions. */
const LEGACY_CLAIM_SETTINGS = ['request.jwt.claim', 'request.jwt.claim.sub', 'request.jwt.claim.role', 'request.jwt.claim.email'];

/**
 * One call is one simple-protocol query of two statements, which PostgreSQL
 * runs as one implicit transaction: the role and claims are set locally (as
 * PostgREST does, the legacy per-claim settings blanked), then the function
 * runs. One round trip; an error rolls everything back and leaves the
 * connection clean; nothing is prepared, so it works behind transaction-mode
 * poolers. (postgres.js's sql.begin() is not
 * used: when a backend dies inside it, postgres.js 3.4.9 crashes the process
 * with an uncatchable TypeError.)
 * Function and parameter names come from SQL_FUNCTIONS, never from callers.
 */
export function postgresTransport(
  sql: postgres.Sql,
  actAs: ActAs,
  opts: { statementTimeoutMs?: number; read?: postgres.Sql } = {},
): Transport {
  const identity = claimsFor(actAs);
  const { read } = opts;
  // The legacy per-claim settings that Supabase's auth.uid(), auth.role(),
  // auth.email() and auth.jwt() prefer are blanked for the call: a session
  // behind a transaction-mode pooler may have left them on this connection.
  // A transaction-local statement_timeout (a pooler would drop a session setting) bounds each call.
  const timeout = opts.statementTimeoutMs === undefined ? '' : `, set_config('statement_timeout', ${literal(`${Math.max(1, Math.floor(opts.statementTimeoutMs))}ms`)}, true)`;
  const prelude =
    `select set_config('role', ${literal(identity.role)}, true), set_config('request.jwt.claims', ${literal(identity.claims)}, true), ` +
    LEGACY_CLAIM_SETTINGS.map((name) => `set_config('${name}', '', true)`).join(', ') +
    timeout;
  return {
    kind: 'postgres',
    async call(fn, args) {
      const named: string[] = [];
      for (const [k, v] of Object.entries(args)) {
        if (v === undefined) continue;
        const type = SQL_FUNCTIONS[fn]?.[k];
        if (!type) throw new Error(`${fn} has no parameter ${k}`);
        named.push(`${k} => ${literal(v)}::${type}`);
      }
      const query = `${prelude};\nselect * from public.${fn}(${named.join(', ')})`;
      const results = (read && READS.has(fn) ? await readThenPrimary(read, sql, query) : await sql.unsafe(query)) as unknown as unknown[][];
      return [...(results[1] ?? [])];
    },
  };
}

/** Calls that only read (declared so in the registry), and may therefore be answered by a read replica. */
const READS: ReadonlySet<string> = new Set(Object.values(API_FUNCTIONS).filter((f) => f.readOnly && f.returns !== 'local').map((f) => f.sql));

/**
 * Read-your-writes over a replica: a row the replica has not replayed yet
 * (PT404: a build created a moment ago on the primary) is asked of the
 * primary, so a caller sees its own writes and never an error for them.
 */
async function readThenPrimary(read: postgres.Sql, primary: postgres.Sql, query: string): Promise<unknown> {
  try {
    return await read.unsafe(query);
  } catch (e) {
    if ((e as { code?: string }).code !== 'PT404') throw e;
    return primary.unsafe(query);
  }
}

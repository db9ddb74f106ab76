/**
 * A test-only `fetch` that answers supabase-js's RPC calls the way PostgREST
 * does, against the real test database — so the supabase-js transport is
 * tested through supabase-js itself without running PostgREST:
 *
 * - POST /rest/v1/rpc/<fn> with a JSON body of named arguments;
 * - the role and request.jwt.claims from the verified JWT (HS256), set in the
 *   call's transaction, as PostgREST does; anon when there is no user token;
 * - the function and its argument types from pg_catalog (unknown names: PGRST202, 404);
 * - results: a JSON array for set-returning functions, the value for scalar ones;
 * - errors: PostgREST's body { code, message, details, hint } and its status
 *   mapping (PTxyz → xyz, 42501 → 401 for anon / 403, 22xxx → 400, 23503/23505 → 409, else 500).
 *
 * It emulates only what the SDK uses; it is not PostgREST.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type postgres from 'postgres';

const LOCAL_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

function verify(token: string, secret: string): Record<string, unknown> | null {
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) return null;
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const got = Buffer.from(s, 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
  return JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
}

function statusFor(code: string, role: string): number {
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2));
  if (code === '42501') return role === 'anon' ? 401 : 403;
  if (code.startsWith('22') || code === '23502' || code === '23514' || code === 'P0001') return 400;
  if (code === '23503' || code === '23505') return 409;
  if (code === '42883') return 404;
  return 500;
}

const json = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export function postgrestFetch(sql: postgres.Sql, secret = LOCAL_SECRET): typeof fetch {
  return async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    const url = new URL(req.url);
    const match = /^\/rest\/v1\/rpc\/([a-z_][a-z0-9_]*)$/.exec(url.pathname);
    if (!match || req.method !== 'POST') return json({ code: 'PGRST000', message: 'not emulated' }, 404);
    const fn = match[1]!;
    const token = (req.headers.get('authorization') ?? '').replace(/^Bearer /i, '') || req.headers.get('apikey') || '';
    const claims = verify(token, secret);
    if (!claims) return json({ code: 'PGRST301', message: 'JWT invalid', details: null, hint: null }, 401);
    const role = String(claims.role ?? 'anon');
    const args = (await req.json().catch(() => ({}))) as Record<string, unknown>;

    const [proc] = await sql<{ names: string[] | null; types: string[]; retset: boolean }[]>`
      select proargnames as names, proretset as retset,
             array(select format_type(t.oid, null) from unnest(proargtypes) with ordinality as t (oid, n) order by t.n) as types
        from pg_proc where proname = ${fn} and pronamespace = 'public'::regnamespace`;
    const inNames = (proc?.names ?? []).slice(0, proc?.types.length ?? 0);
    const unknown = Object.keys(args).filter((k) => !inNames.includes(k));
    if (!proc || unknown.length) {
      return json({
        code: 'PGRST202',
        message: `Could not find the function public.${fn}(${Object.keys(args).sort().join(', ')}) in the schema cache`,
        details: null,
        hint: null,
      }, 404);
    }
    const values: (string | null)[] = [];
    const named = Object.entries(args).map(([k, v]) => {
      values.push(v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v));
      return `${k} => $${values.length}::${proc.types[inNames.indexOf(k)]}`;
    });
    const call = `public.${fn}(${named.join(', ')})`;
    try {
      const rows = await sql.begin(async (tx) => {
        await tx.unsafe(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [role, JSON.stringify(claims)]);
        return tx.unsafe(proc.retset ? `select to_jsonb(r) as j from ${call} r` : `select to_jsonb(${call}) as j`, values);
      });
      const out = (rows as unknown as { j: unknown }[]).map((r) => r.j);
      return json(proc.retset ? out : out[0], 200);
    } catch (e) {
      const err = e as { code?: string; message?: string; detail?: string; hint?: string };
      const code = err.code ?? 'XX000';
      return json({ code, message: err.message ?? 'error', details: err.detail ?? null, hint: err.hint ?? null }, statusFor(code, role));
    }
  };
}

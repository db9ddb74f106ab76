/**
 * Two transports, one contract: call a SQL function by name with named
 * arguments and get its rows. Errors are thrown raw; api.ts types them.
 *
 * - supabase-js (this file, safe in browsers): `client.rpc()` with the caller's
 *   JWT (PostgREST sets the role and request.jwt.claims; RLS applies).
 * - postgres.js (postgres.ts, servers only): the same settings in the call's
 *   own transaction, so auth.uid() and RLS behave the same.
 */
import type { SqlFunction } from './functions.ts';

export interface Transport {
  /** The rows of a function that returns a table. */
  call(fn: SqlFunction, args: Record<string, string | null | undefined>): Promise<unknown[]>;
  readonly kind: 'supabase' | 'postgres';
}

/** The part of a SupabaseClient the SDK uses (any supabase-js v2 client fits). */
export interface SupabaseLike {
  // supabase-js's rpc is generic over the schema; this loose shape accepts any client.
  rpc(fn: string, args?: Record<string, unknown>): PromiseLike<{ data: unknown; error: unknown; status: number }>;
}

/** Thrown by the supabase transport: PostgREST's error body and the HTTP status it came with. */
export class RpcFailure extends Error {
  constructor(readonly body: unknown, readonly status: number) {
    super(typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : 'rpc failed');
  }
}

export function supabaseTransport(client: SupabaseLike): Transport {
  return {
    kind: 'supabase',
    async call(fn, args) {
      const named: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(args)) if (v !== undefined) named[k] = v;
      const { data, error, status } = await client.rpc(fn, named);
      if (error) throw new RpcFailure(error, status);
      return Array.isArray(data) ? data : data == null ? [] : [data];
    },
  };
}

/**
 * Test access to the database `npm test` started (DATABASE_URL), and the
 * identities the suites act as. A role and JWT claims are set per
 * transaction, the way PostgREST does, so auth.uid() and RLS behave as in
 * production.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the suites with `npm test`');
  return url;
}

/** A pool of `max` connections as the database owner (postgres). */
export function connect(max = 10, options: postgres.Options<{}> = {}): Sql {
  return postgres(databaseUrl(), { max, onnotice: () => undefined, idle_timeout: 5, ...options });
}

/** Creates a user in auth.users (id and email, as on Supabase) and returns its id. */
export async function createUser(sql: Sql, email?: string): Promise<string> {
  const id = randomUUID();
  await sql`insert into auth.users (id, email) values (${id}, ${email ?? `${id}@example.test`})`;
  return id;
}

export type Identity = { role: 'authenticated'; userId: string } | { role: 'service_role' } | { role: 'anon' };

export const asUser = (userId: string): Identity => ({ role: 'authenticated', userId });
export const service: Identity = { role: 'service_role' };
export const anon: Identity = { role: 'anon' };

/** Runs fn in a transaction as the identity (set local role + request.jwt.claims). */
export async function actAs<T>(sql: Sql, who: Identity, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const claims =
    who.role === 'authenticated' ? { sub: who.userId, role: 'authenticated' } : { role: who.role };
  return sql.begin(async (tx) => {
    await tx`select set_config('role', ${who.role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return fn(tx);
  }) as Promise<T>;
}

/** The SQLSTATE of a rejected promise, or null when it resolved. */
export async function sqlstateOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (!code) throw e;
    return code;
  }
}

/** The first row of a result (fails the test when there is none). */
export function first<T>(rows: readonly T[]): T {
  if (rows.length === 0) throw new Error('expected a row');
  return rows[0]!;
}

/** The error a call fails with (fails the test when the call succeeds). */
export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

export interface ScratchDatabase {
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

/**
 * A new, empty database in the test cluster (for suites that migrate or break
 * a database of their own), with what the migrations use of Supabase's auth
 * schema: the cluster's roles are Supabase-shaped already, so the migration
 * runner takes it for a Supabase database and never bootstraps it.
 */
export async function createScratchDatabase(admin: Sql, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomUUID().slice(0, 8)}`;
  const url = new URL(databaseUrl());
  url.pathname = `/${name}`;
  await admin.unsafe(`create database ${name}`);
  const sql = postgres(url.toString(), { max: 1, onnotice: () => undefined });
  await sql.unsafe(`create schema auth;
    create table auth.users (id uuid primary key);
    create function auth.uid() returns uuid language sql stable as $$ select null::uuid $$`);
  return {
    url: url.toString(),
    sql,
    drop: async () => {
      await sql.end();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
    },
  };
}

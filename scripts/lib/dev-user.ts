/** A local user in auth.users and an ES256 session for it (local development only). */
import type postgres from 'postgres';
import { localKeys } from './keys.ts';
import { userJwt } from './jwt.ts';
import { isSupabaseDatabase } from './migrate.ts';

export async function devUser(sql: postgres.Sql, email: string, ttlSeconds = 24 * 3600): Promise<{ id: string; token: string }> {
  if (await isSupabaseDatabase(sql)) {
    throw new Error('this is a Supabase database: create users with Supabase Auth (sign up, or the dashboard), not this script');
  }
  const [row] = await sql<{ id: string }[]>`
    with found as (select id from auth.users where email = ${email}),
         created as (insert into auth.users (id, email) select gen_random_uuid(), ${email}
                      where not exists (select from found) returning id)
    select id from found union all select id from created`;
  return { id: row!.id, token: userJwt(row!.id, localKeys().signingKey, { email, ttlSeconds }) };
}

/**
 * LOCAL DEVELOPMENT ONLY. POST signs in as a demo user: creates it in the
 * local auth.users if missing and sets a session JWT signed with the local
 * stack's signing key (ES256). DELETE signs out. Answers 404 in production.
 */
import { cookies } from 'next/headers';
import { config } from '@/lib/config';
import { sql } from '@/lib/db';
import { SESSION_COOKIE, signSession } from '@/lib/session';

const DEMO_EMAIL = 'demo@example.test';

export async function POST() {
  if (!config.devTools) return new Response(null, { status: 404 });
  const [user] = await sql<{ id: string }[]>`
    with found as (select id from auth.users where email = ${DEMO_EMAIL}),
         created as (insert into auth.users (id, email) select gen_random_uuid(), ${DEMO_EMAIL}
                      where not exists (select from found) returning id)
    select id from found union all select id from created`;
  (await cookies()).set(SESSION_COOKIE, signSession(user!.id, DEMO_EMAIL), { httpOnly: true, sameSite: 'lax', path: '/' });
  return Response.json({ userId: user!.id });
}

export async function DELETE() {
  (await cookies()).delete(SESSION_COOKIE);
  return new Response(null, { status: 204 });
}

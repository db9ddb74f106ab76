/**
 * npm run dev:user [-- email]: a local user and a session token for it, to try
 * the API without an auth server. Creates the user in auth.users when missing
 * (the embedded database, or DATABASE_URL if it is not a Supabase database)
 * and prints its id and an access token (role authenticated, 24 h) signed with
 * SUPABASE_JWT_SECRET. Local development only.
 */
import postgres from 'postgres';
import { config } from './lib/config.ts';
import { ensureEmbedded } from './lib/embedded.ts';
import { userJwt } from './lib/jwt.ts';
import { isSupabaseDatabase } from './lib/migrate.ts';

const email = process.argv[2] ?? 'demo@example.test';

async function main(): Promise<void> {
  const db = config.databaseUrl ? { url: config.databaseUrl, started: false, cluster: undefined } : await ensureEmbedded(() => undefined);
  const sql = postgres(db.url, { max: 1, onnotice: () => undefined });
  try {
    if (await isSupabaseDatabase(sql)) {
      throw new Error('this is a Supabase database: create users with Supabase Auth (sign up, or the dashboard), not this script');
    }
    const [row] = await sql<{ id: string }[]>`
      with found as (select id from auth.users where email = ${email}),
           created as (insert into auth.users (id, email) select gen_random_uuid(), ${email}
                        where not exists (select from found) returning id)
      select id from found union all select id from created`;
    const token = userJwt(row!.id, config.jwtSecret, { email, ttlSeconds: 24 * 3600 });
    console.log(`USER_ID=${row!.id}`);
    console.log(`USER_TOKEN=${token}`);
  } finally {
    await sql.end();
    if (db.started) await db.cluster?.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

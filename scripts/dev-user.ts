/**
 * npm run dev:user [-- email]: a local user and a session token for it, to try
 * the API without an auth server. Creates the user in auth.users when missing
 * (in DATABASE_URL, else the running stack of the stack state, else the
 * embedded database) and prints its id and an access token (role
 * authenticated, 24 h) signed ES256 with the local signing key, as Supabase
 * Auth signs sessions. Local development only.
 */
import { connectChecked, resolveDatabase } from './lib/database.ts';
import { devUser } from './lib/dev-user.ts';

const email = process.argv[2] ?? 'demo@example.test';
const note = (m: string) => console.error(`# ${m}`);

async function main(): Promise<void> {
  const target = await resolveDatabase(note);
  const sql = await connectChecked(target);
  try {
    const { id, token } = await devUser(sql, email);
    console.log(`USER_ID=${id}`);
    console.log(`USER_TOKEN=${token}`);
  } finally {
    await sql.end();
    if (target.startedCluster) await target.startedCluster.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

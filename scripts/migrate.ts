/**
 * npm run db:migrate: the bootstrap (plain PostgreSQL only) and dbmate up,
 * against DATABASE_URL, else the running stack of the stack state, else the
 * embedded database (started if needed, and stopped again if this command
 * started it). Says which database it used; a failure names the setting.
 */
import { connectChecked, resolveDatabase } from './lib/database.ts';
import { migrate } from './lib/migrate.ts';

const log = (m: string) => console.log(m);

async function main() {
  const target = await resolveDatabase(log);
  try {
    await (await connectChecked(target)).end();
    await migrate(target.url, log);
  } finally {
    if (target.startedCluster) {
      await target.startedCluster.stop();
      log('embedded PostgreSQL stopped (it was started for this command; `npm run db:start` keeps it running)');
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

/**
 * npm run db:migrate: the bootstrap (plain PostgreSQL only) and dbmate up,
 * against DATABASE_URL or, when it is unset, the embedded database (started
 * if needed, and stopped again if this command started it).
 */
import { config } from './lib/config.ts';
import { ensureEmbedded } from './lib/embedded.ts';
import { migrate } from './lib/migrate.ts';

const log = (m: string) => console.log(m);

async function main() {
  if (config.databaseUrl) {
    await migrate(config.databaseUrl, log);
    return;
  }
  const { cluster, started, url } = await ensureEmbedded(log);
  try {
    await migrate(url, log);
  } finally {
    if (started) {
      await cluster.stop();
      log('embedded PostgreSQL stopped (it was started for this command; `npm run db:start` keeps it running)');
    }
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

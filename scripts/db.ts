/**
 * npm run db:start | db:stop | db:reset | db:status
 * The embedded PostgreSQL 17 (persistent data in .data/postgres, port 54322).
 */
import { rm } from 'node:fs/promises';
import { config } from './lib/config.ts';
import { embeddedCluster, ensureEmbedded } from './lib/embedded.ts';

const log = (m: string) => console.log(m);
const command = process.argv[2];

async function main() {
  if (config.databaseUrl && command !== 'status') {
    log('note: DATABASE_URL is set; these commands manage only the embedded database');
  }
  const cluster = embeddedCluster();
  switch (command) {
    case 'start': {
      const { url } = await ensureEmbedded(log);
      log(`DATABASE_URL=${url}`);
      break;
    }
    case 'stop': {
      log((await cluster.stop()) ? 'embedded PostgreSQL stopped' : 'embedded PostgreSQL is not running');
      break;
    }
    case 'reset': {
      if (await cluster.stop()) log('embedded PostgreSQL stopped');
      await rm(config.dbDataDir, { recursive: true, force: true });
      log(`removed ${config.dbDataDir}`);
      const { url } = await ensureEmbedded(log);
      const { migrate } = await import('./lib/migrate.ts');
      await migrate(url, log);
      log(`DATABASE_URL=${url}`);
      break;
    }
    case 'status': {
      const pid = await cluster.runningPid();
      log(pid === null ? 'embedded PostgreSQL is not running' : `embedded PostgreSQL is running (pid ${pid}, port ${await cluster.runningPort()})`);
      break;
    }
    default:
      console.error('usage: tsx scripts/db.ts start|stop|reset|status');
      process.exit(2);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

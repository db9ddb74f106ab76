/**
 * npm run db:start | db:stop | db:reset | db:status
 * The embedded PostgreSQL 17 (persistent data in .data/postgres, port 54322).
 * db:start records it in the stack state for the other scripts; db:status
 * also reports the stack the state records.
 */
import { rm } from 'node:fs/promises';
import { portInUse } from './lib/cluster.ts';
import { config, setting, sourceOf } from './lib/config.ts';
import { embeddedCluster, ensureEmbedded } from './lib/embedded.ts';
import { clearStack, describeStack, pidAlive, readStackFile, stackFileLabel, writeStack } from './lib/stack.ts';

const log = (m: string) => console.log(m);
const command = process.argv[2];

function record(url: string, startedHere: boolean, pid: number | null): void {
  const previous = readStackFile();
  // A running `npm start` keeps its own record.
  if (previous?.owner === 'start' && pidAlive(previous.pid)) return;
  writeStack({
    owner: 'db:start',
    pid: process.pid,
    startedAt: new Date().toISOString(),
    databaseUrl: url,
    embedded: { port: Number(new URL(url).port), dataDir: config.dbDataDir, pid },
    ownsDatabase: startedHere,
  });
}

async function main() {
  if (config.databaseUrl && command !== 'status') {
    log(`note: ${setting('DATABASE_URL')} is set; these commands manage only the embedded database`);
  }
  const cluster = embeddedCluster();
  switch (command) {
    case 'start': {
      const db = await ensureEmbedded(log);
      record(db.url, db.started, await cluster.runningPid());
      log(`DATABASE_URL=${db.url}`);
      log(`recorded in ${stackFileLabel()}: dev:user, db:migrate and db:status use it`);
      break;
    }
    case 'stop': {
      log((await cluster.stop()) ? `embedded PostgreSQL stopped (${config.dbDataDir})` : `embedded PostgreSQL is not running (${config.dbDataDir})`);
      clearStack((s) => s.embedded?.dataDir === config.dbDataDir && (s.owner === 'db:start' || !pidAlive(s.pid)));
      break;
    }
    case 'reset': {
      if (await cluster.stop()) log('embedded PostgreSQL stopped');
      await rm(config.dbDataDir, { recursive: true, force: true });
      log(`removed ${config.dbDataDir}`);
      const db = await ensureEmbedded(log);
      const { migrate } = await import('./lib/migrate.ts');
      await migrate(db.url, log);
      record(db.url, true, await cluster.runningPid());
      log(`DATABASE_URL=${db.url}`);
      log('sessions issued before the reset name users that no longer exist: run `npm run dev:user` again');
      break;
    }
    case 'status': {
      const state = readStackFile();
      let alive = false;
      if (state) {
        alive = state.owner === 'start' ? pidAlive(state.pid) : state.embedded ? await portInUse(state.embedded.port) : false;
        log(alive ? `stack: ${describeStack(state)}${state.apiUrl ? `, API ${state.apiUrl}` : ''}, database ${state.embedded ? `127.0.0.1:${state.embedded.port} (${state.embedded.dataDir})` : 'DATABASE_URL'}` : `stack: ${stackFileLabel()} records a stack that no longer runs (pid ${state.pid})`);
      } else log(`stack: none recorded in ${stackFileLabel()}`);
      // The stack's own database was just reported; another data directory only when asked for.
      if (alive && state?.embedded && sourceOf('DB_DATA_DIR') === 'default' && state.embedded.dataDir !== config.dbDataDir) break;
      const pid = await cluster.runningPid();
      log(pid === null ? `embedded PostgreSQL is not running (${config.dbDataDir}, ${setting('DB_DATA_DIR')})` : `embedded PostgreSQL is running (pid ${pid}, port ${await cluster.runningPort()}, ${config.dbDataDir})`);
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

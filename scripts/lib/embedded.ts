/** The embedded PostgreSQL 17 of `npm run db:*` and `npm start` (persistent, port 54322). */
import { Cluster, portInUse } from './cluster.ts';
import { embeddedBinDir } from './binaries.ts';
import { config, setting } from './config.ts';
import { bootstrapCluster } from './migrate.ts';

export function embeddedCluster(): Cluster {
  return new Cluster({ binDir: embeddedBinDir(), dataDir: config.dbDataDir, port: config.dbPort, superuser: 'supabase_admin' });
}

/**
 * Initialises and starts the embedded database unless it already runs.
 * Returns the cluster and whether this call started it (so the caller knows
 * whether stopping it is its job), and the pid when it was already running.
 */
export async function ensureEmbedded(
  log: (m: string) => void,
  opts: { start?: boolean } = {},
): Promise<{ cluster: Cluster; started: boolean; url: string; runningPid: number | null }> {
  const cluster = embeddedCluster();
  const pid = cluster.initialised ? await cluster.runningPid() : null;
  if (pid !== null) {
    const port = (await cluster.runningPort()) ?? config.dbPort;
    const url = new Cluster({ ...cluster.opts, port }).url;
    log(`embedded PostgreSQL is already running (pid ${pid}, port ${port}, ${config.dbDataDir})`);
    return { cluster, started: false, url, runningPid: pid };
  }
  if (opts.start === false) {
    throw new Error(`the embedded database in ${config.dbDataDir} is not running; start it with \`npm run db:start\` or \`npm start\``);
  }
  if (await portInUse(config.dbPort)) {
    throw new Error(
      `${setting('DB_PORT')} = ${config.dbPort}: that port on 127.0.0.1 is taken by a server that is not the embedded database in ` +
        `${config.dbDataDir} (${setting('DB_DATA_DIR')}). If it is a stack started with other settings, give this command the same ` +
        `DB_DATA_DIR, or set DATABASE_URL=postgresql://postgres:postgres@127.0.0.1:${config.dbPort}/postgres; otherwise choose a free DB_PORT.`,
    );
  }
  if (await cluster.init()) log(`initialised a new PostgreSQL 17 cluster in ${config.dbDataDir}`);
  await cluster.start();
  log(`embedded PostgreSQL 17 started on 127.0.0.1:${config.dbPort}`);
  await bootstrapCluster(cluster, log);
  return { cluster, started: true, url: cluster.url, runningPid: null };
}

/** The embedded PostgreSQL 17 of `npm run db:*` and `npm start` (persistent, port 54322). */
import { Cluster } from './cluster.ts';
import { embeddedBinDir } from './binaries.ts';
import { config } from './config.ts';
import { bootstrapCluster } from './migrate.ts';

export function embeddedCluster(): Cluster {
  return new Cluster({ binDir: embeddedBinDir(), dataDir: config.dbDataDir, port: config.dbPort, superuser: 'supabase_admin' });
}

/**
 * Initialises and starts the embedded database unless it already runs.
 * Returns the cluster and whether this call started it (so the caller knows
 * whether stopping it is its job).
 */
export async function ensureEmbedded(log: (m: string) => void): Promise<{ cluster: Cluster; started: boolean; url: string }> {
  const cluster = embeddedCluster();
  if (await cluster.init()) log(`initialised a new PostgreSQL 17 cluster in ${config.dbDataDir}`);
  const pid = await cluster.runningPid();
  if (pid !== null) {
    const port = (await cluster.runningPort()) ?? config.dbPort;
    const url = new Cluster({ ...cluster.opts, port }).url;
    log(`embedded PostgreSQL is already running (pid ${pid}, port ${port})`);
    return { cluster, started: false, url };
  }
  await cluster.start();
  log(`embedded PostgreSQL 17 started on 127.0.0.1:${config.dbPort}`);
  await bootstrapCluster(cluster, log);
  return { cluster, started: true, url: cluster.url };
}

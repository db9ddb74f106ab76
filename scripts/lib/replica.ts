/**
 * A PostgreSQL 15 primary with the migrations applied and a hot standby
 * streaming from it (pg_basebackup -R), both Debian's postgresql-15 on
 * loopback in one temporary directory: what a Supabase read replica is.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Cluster, freePort, makeTempDir, postgresOsUser, run } from './cluster.ts';
import { debianPg15 } from './binaries.ts';
import { migrate } from './migrate.ts';

export interface PrimaryWithReplica {
  primaryUrl: string;
  replicaUrl: string;
  dispose(): Promise<void>;
}

export async function startPrimaryWithReplica(log: (m: string) => void = () => undefined): Promise<PrimaryWithReplica> {
  if (!debianPg15.available()) {
    throw new Error('PostgreSQL 15 is not installed: apt-get install postgresql-15 (or run .ci/run)');
  }
  const dir = await makeTempDir('projects-core-replica-');
  const primary = new Cluster({ binDir: debianPg15.binDir, dataDir: path.join(dir, 'primary'), port: await freePort(), settings: { fsync: 'off' } });
  const replica = new Cluster({ binDir: debianPg15.binDir, dataDir: path.join(dir, 'replica'), port: await freePort(), settings: { fsync: 'off', hot_standby: 'on' } });
  const dispose = async () => {
    await replica.destroy();
    await primary.destroy();
    await run('rm', ['-rf', dir]);
  };
  try {
    await primary.init();
    // The standby connects over loopback as postgres without a password (the first matching line wins).
    const hba = path.join(dir, 'primary', 'pg_hba.conf');
    await writeFile(hba, `host replication postgres 127.0.0.1/32 trust\n${await readFile(hba, 'utf8')}`);
    await primary.start();
    await migrate(primary.url, log);
    const ids = await postgresOsUser();
    const r = await run(
      path.join(debianPg15.binDir, 'pg_basebackup'),
      ['-h', '127.0.0.1', '-p', String(primary.opts.port), '-U', 'postgres', '-D', replica.opts.dataDir, '-R', '-X', 'stream', '-c', 'fast'],
      { ...(ids ?? {}), env: { ...process.env, PGCONNECT_TIMEOUT: '10' } },
    );
    if (r.code !== 0) throw new Error(`pg_basebackup failed:\n${r.stderr || r.stdout}`);
    await replica.start();
  } catch (e) {
    await dispose();
    throw e;
  }
  return { primaryUrl: primary.url, replicaUrl: replica.url, dispose };
}

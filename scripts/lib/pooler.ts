/**
 * Debian's PgBouncer in pool_mode = transaction in front of a database, on a
 * free port of 127.0.0.1, as Supabase's transaction pooler (port 6543) is in
 * front of a hosted one: consecutive transactions of one client may run on
 * different server connections, and a server connection carries whatever a
 * previous client left on it at session level.
 *
 * Two pooled databases: `<db>` (20 server connections, for the storms) and
 * `<db>_single` (one server connection, so a test can know which connection
 * its next transaction runs on).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, makeTempDir, portInUse, postgresOsUser } from './cluster.ts';

/** Debian installs it in /usr/sbin, which a non-root PATH may lack. */
function pgbouncerBinary(): string | null {
  const dirs = ['/usr/sbin', ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean)];
  return dirs.map((d) => path.join(d, 'pgbouncer')).find((p) => existsSync(p)) ?? null;
}

export interface Pooler {
  /** The database through the pooler (same user and password). */
  url: string;
  /** The same database through a pool of one server connection. */
  singleUrl: string;
  stop(): Promise<void>;
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

export async function startPooler(databaseUrl: string): Promise<Pooler> {
  const pgbouncer = pgbouncerBinary();
  if (!pgbouncer) throw new Error('PgBouncer is not installed: apt-get install pgbouncer (or run .ci/run)');
  const target = new URL(databaseUrl);
  const user = decodeURIComponent(target.username);
  const password = decodeURIComponent(target.password);
  const dbname = target.pathname.slice(1) || 'postgres';
  const port = await freePort();
  const dir = await makeTempDir('projects-core-pgbouncer-');
  const server = `host=${target.hostname} port=${target.port || 5432} dbname=${dbname}`;
  await writeFile(path.join(dir, 'userlist.txt'), `${quote(user)} ${quote(password)}\n`, { mode: 0o600 });
  await writeFile(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `${dbname} = ${server} pool_size=20`,
      `${dbname}_single = ${server} pool_size=1`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'pool_mode = transaction',
      'auth_type = scram-sha-256',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      'max_client_conn = 1000',
      'server_tls_sslmode = prefer',
      'ignore_startup_parameters = extra_float_digits,options',
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  );
  const ids = await postgresOsUser();
  if (ids) {
    const { chown } = await import('node:fs/promises');
    for (const f of ['userlist.txt', 'pgbouncer.ini']) await chown(path.join(dir, f), ids.uid, ids.gid);
  }
  // PgBouncer refuses to run as root: as root it runs as the system user postgres.
  const child: ChildProcess = spawn(pgbouncer, [path.join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(ids ?? {}),
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await portInUse(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`pgbouncer did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  url.searchParams.delete('sslmode');
  const single = new URL(url);
  single.pathname = `/${dbname}_single`;
  return { url: url.toString(), singleUrl: single.toString(), stop };
}

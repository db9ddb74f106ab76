/**
 * npm run gen:types: rewrites src/database.types.ts with
 * `supabase gen types typescript --db-url` against a throwaway PostgreSQL 15
 * with every migration applied. `npm run lint` fails when it is stale.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { root } from './lib/config.ts';
import { generateTypes, startMigratedPg15 } from './lib/pg15.ts';

const db = await startMigratedPg15(() => undefined);
try {
  await writeFile(path.join(root, 'src', 'database.types.ts'), await generateTypes(db.url, root));
  console.log('wrote src/database.types.ts');
} finally {
  await db.dispose();
}

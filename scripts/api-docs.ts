/**
 * npm run docs:api: rewrites the docs' tables of the API functions from the
 * registry (src/functions.ts); see scripts/lib/api-docs.ts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { API_TABLES, tableSpan } from './lib/api-docs.ts';
import { root } from './lib/config.ts';

for (const t of API_TABLES) {
  const file = path.join(root, t.file);
  const text = await readFile(file, 'utf8');
  const { start, end } = tableSpan(text, t);
  await writeFile(file, text.slice(0, start) + t.render() + text.slice(end));
  console.log(`wrote the table of ${t.file}`);
}

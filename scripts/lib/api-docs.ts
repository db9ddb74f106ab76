/**
 * The docs' tables of the API functions, rendered from the registry
 * (src/functions.ts): docs/sql-api.md lists the SQL functions, docs/http-api.md
 * the edge functions, each between `<!-- <marker> -->` and `<!-- /<marker> -->`.
 * `npm run docs:api` rewrites them; tests/contract.test.ts fails while they differ.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { API_FUNCTIONS, type ApiFunction } from '../../src/functions.ts';
import { root } from './config.ts';

export interface ApiTable {
  file: string;
  marker: string;
  render(): string;
}

const entries = (): [string, ApiFunction][] => Object.entries(API_FUNCTIONS);
const roles = (list: readonly string[]) => list.map((r) => `\`${r}\``).join(', ');
const table = (header: string[], rows: string[]) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- |').join('')}`, ...rows, ''].join('\n');

export const API_TABLES: readonly ApiTable[] = [
  {
    file: 'docs/sql-api.md',
    marker: 'registry:sql-functions',
    render: () =>
      table(['SQL function', 'SDK method', 'who may call', 'reads or writes'], entries().map(([op, fn]) => {
        const sdk = fn.returns === 'local' ? `\`${op}\` (answered by the SDK itself)` : `\`${op}\``;
        return `| \`${fn.sql}(${Object.keys(fn.params).join(', ')})\` | ${sdk} | ${roles(fn.roles)} | ${fn.readOnly ? 'reads' : 'writes'} |`;
      })),
  },
  {
    file: 'docs/http-api.md',
    marker: 'registry:http-functions',
    render: () =>
      table(['edge function', 'SDK method', 'SQL function', 'who may call'], entries().flatMap(([op, fn]) =>
        fn.http ? [`| \`${fn.http.method} /functions/v1/${fn.http.name}\` | \`${op}\` | \`${fn.sql}\` | ${roles(fn.http.roles ?? fn.roles)} |`] : [],
      )),
  },
];

/** Where a table's text starts and ends in its file (after the opening marker's line, before the closing marker). */
export function tableSpan(text: string, t: ApiTable): { start: number; end: number } {
  const open = `<!-- ${t.marker} -->\n`;
  const start = text.indexOf(open);
  const end = text.indexOf(`<!-- /${t.marker} -->`);
  if (start < 0 || end < start) throw new Error(`${t.file} has no table between <!-- ${t.marker} --> and <!-- /${t.marker} -->`);
  return { start: start + open.length, end };
}

/** The table as its file has it. */
export function currentTable(t: ApiTable): string {
  const text = readFileSync(path.join(root, t.file), 'utf8');
  const { start, end } = tableSpan(text, t);
  return text.slice(start, end);
}

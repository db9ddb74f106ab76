/**
 * npm run bench:docs: copies the figures of the last full `npm run bench`
 * (bench/results/latest.json) into docs/performance.md, between
 * <!-- bench:start --> and <!-- bench:end -->. The bench itself writes only
 * bench/results; publishing its numbers is this separate, explicit step.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { root } from './lib/config.ts';
import { targetsTable, type BenchResults, type Target } from './lib/bench-report.ts';

const results = JSON.parse(await readFile(path.join(root, 'bench', 'results', 'latest.json'), 'utf8')) as BenchResults & { targets: Target[] };
const file = path.join(root, 'docs', 'performance.md');
const doc = await readFile(file, 'utf8');
const marked = /<!-- bench:start -->[\s\S]*<!-- bench:end -->/;
if (!marked.test(doc)) throw new Error('docs/performance.md has no <!-- bench:start --> ... <!-- bench:end --> section');
const section = [
  `Run of ${results.generated_at.slice(0, 10)} on ${results.machine.cpus} CPUs, ${results.server}${results.quick ? ' (quick run)' : ''}${results.machine.load_average ? `, load average ${results.machine.load_average.map((l) => l.toFixed(1)).join(' → ')}` : ''}; the full report is [bench/results/latest.md](../bench/results/latest.md).`,
  '',
  ...targetsTable(results.targets),
].join('\n');
await writeFile(file, doc.replace(marked, `<!-- bench:start -->\n${section}\n<!-- bench:end -->`));
console.log(`docs/performance.md: figures of ${results.generated_at}`);

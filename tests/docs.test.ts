/**
 * The documentation runs as written. Every fenced snippet of README.md and
 * docs/*.md whose info string says `runnable` (```sh runnable, ```ts runnable)
 * runs against a real stack this file starts the way `npm start` does (its
 * script, on a free port, against the test database, with its own stack state
 * and keys): a document's sh snippets in order in one bash session after
 * `eval "$(npm run -s env)"`, each ts snippet with tsx from the repository
 * root with the variables that eval exports (the SDK, imported as ./src/ or
 * as @projects-core/sdk, is this repository's). Snippets marked `typecheck`
 * (they need a hosted project) and the runnable ts ones are typechecked with
 * the repository's tsconfig.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from './helpers/db.ts';
import { freePort } from './helpers/edge.ts';
import { root, startStack, tsx } from './helpers/stack.ts';

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const stateDir = mkdtempSync(path.join(tmpdir(), 'docs-test-'));
// Inside the repository (git-ignored) so that the snippets' imports resolve as from the root.
const snippetDir = path.join(root, '.data', `docs-snippets-${process.pid}`);
const stackEnv = {
  ...process.env,
  STACK_STATE_FILE: path.join(stateDir, 'stack.json'),
  LOCAL_KEYS_FILE: path.join(stateDir, 'keys.json'),
  DATABASE_URL: databaseUrl(),
  NO_COLOR: '1',
};

interface Snippet {
  file: string;
  line: number;
  lang: string;
  mode: 'runnable' | 'typecheck';
  code: string;
}

/** The fenced snippets of a Markdown file marked `runnable` or `typecheck` in their info string. */
function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+) (runnable|typecheck)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed fence`);
    out.push({ file, line: i + 1, lang: open[1]!, mode: open[2] as Snippet['mode'], code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

const documents = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const snippets = documents.flatMap(snippetsOf);
const ts = snippets.filter((s) => s.lang === 'ts');

/** A snippet's file under snippetDir, its `./src/` imports pointed back at the repository's. */
function writeSnippet(s: Snippet, i: number): string {
  const file = path.join(snippetDir, `${path.basename(s.file, '.md')}-${s.line}-${i}.ts`);
  writeFileSync(file, s.code.replace(/from '\.\/src\//g, "from '../../src/").replace(/from '@projects-core\/sdk'/g, "from '../../src/index.ts'"));
  return file;
}

let child: ChildProcess;
let vars: Record<string, string> = {};

beforeAll(async () => {
  mkdirSync(snippetDir, { recursive: true });
  const port = await freePort();
  child = (await startStack({ ...stackEnv, API_PORT: String(port) })).child;
  const env = spawnSync(process.execPath, [tsx, 'scripts/env.ts'], { cwd: root, env: stackEnv, encoding: 'utf8' });
  if (env.status !== 0) throw new Error(`npm run env failed: ${env.stderr}`);
  vars = Object.fromEntries([...env.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
  rmSync(snippetDir, { recursive: true, force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
const anchorsOf = (file: string) => new Set([...readFileSync(file, 'utf8').matchAll(/^#+ (.*)$/gm)].map((m) => anchorOf(m[1]!)));

/** Pages the README links to that another branch of this release writes (they exist once it is merged). */
describe('the documentation', () => {
  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const doc of documents) {
      const text = readFileSync(path.join(root, doc), 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
      for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(link!)) continue;
        const [file, anchor] = link!.split('#') as [string, string | undefined];
        const target = file ? path.normalize(path.join(path.dirname(doc), file)) : doc;
        if (!existsSync(path.join(root, target))) broken.push(`${doc}: ${link} (no such file)`);
        else if (anchor && target.endsWith('.md') && !anchorsOf(path.join(root, target)).has(anchor)) broken.push(`${doc}: ${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('README fits on a screen: at most 150 lines', () => {
    expect(readFileSync(path.join(root, 'README.md'), 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(150);
  });

  it('marks the walkthrough and the SDK examples runnable, in sh and ts only', () => {
    const runnable = snippets.filter((s) => s.mode === 'runnable');
    expect(runnable.filter((s) => s.file === 'README.md' && s.lang === 'sh').length).toBeGreaterThanOrEqual(6);
    expect(runnable.filter((s) => s.file === 'docs/sdk.md' && s.lang === 'ts').length).toBeGreaterThanOrEqual(3);
    expect(snippets.filter((s) => !['sh', 'ts'].includes(s.lang))).toEqual([]);
  });

  it.each(documents.filter((d) => snippets.some((s) => s.file === d && s.lang === 'sh' && s.mode === 'runnable')))(
    "%s: the sh snippets run in order in one bash session after eval \"$(npm run -s env)\"",
    (doc) => {
      const script = ['eval "$(npm run -s env)"', ...snippets.filter((s) => s.file === doc && s.lang === 'sh' && s.mode === 'runnable').map((s) => s.code)].join('\n');
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: root, env: stackEnv, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).not.toMatch(/"code":"(internal|unauthorized|invalid_input)"/);
    },
    150_000,
  );

  it.each(ts.filter((s) => s.mode === 'runnable').map((s, i) => [`${s.file}:${s.line}`, s, i] as const))(
    '%s: the ts snippet runs with tsx',
    (_name, s, i) => {
      const file = writeSnippet(s, i);
      const r = spawnSync(process.execPath, [tsx, file], { cwd: root, env: { ...stackEnv, ...vars }, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    },
    90_000,
  );

  it('every ts snippet typechecks with the repository tsconfig', () => {
    const files = ts.map((s, i) => path.basename(writeSnippet(s, 1000 + i)));
    const config = path.join(snippetDir, 'tsconfig.json');
    writeFileSync(config, JSON.stringify({ extends: '../../tsconfig.json', include: files, compilerOptions: { noEmit: true } }));
    const r = spawnSync(process.execPath, [tsc, '-p', config], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 150_000);
});

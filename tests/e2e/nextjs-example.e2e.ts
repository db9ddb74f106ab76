/**
 * The NextJS example in a real browser (Debian's Chromium through
 * playwright-core): sign in, create projects by double-clicking and by
 * submitting twice (exactly one each), follow a build to deployed and a new
 * one to failed, and see an error's reference id. Run by `npm run test:e2e`.
 */
import { mkdirSync } from 'node:fs';
import postgres from 'postgres';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const APP = process.env.EXAMPLE_URL!;
const sql = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
let browser: Browser;
let page: Page;

/** Idempotent replays recorded so far: the second submit of an action must be one. */
const replays = async () =>
  (await sql<{ n: number }[]>`select (case when is_called then last_value else 0 end)::int as n from private.idempotent_replays`)[0]!.n;

const countProjects = async (name: string) =>
  (await sql<{ n: number }[]>`select count(*)::int as n from public.projects where name = ${name}`)[0]!.n;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
           '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
});
afterAll(async () => {
  await browser?.close();
  await sql.end();
});

async function create(name: string, submit: (button: ReturnType<Page['getByRole']>) => Promise<void>, via: 'edge' | 'route' = 'edge') {
  const before = await replays();
  await page.goto(APP);
  await page.getByLabel('Project name').fill(name);
  if (via === 'route') await page.getByLabel('route handler + SDK').check();
  await submit(page.getByRole('button', { name: /Create project|Creating/ }));
  await page.getByTestId('created').waitFor();
  // Let every in-flight request finish before counting.
  await page.waitForFunction(() => !document.querySelector('button[type=submit]')?.textContent?.includes('Creating'));
  // Both submits reached the database: the second was answered as a replay, not a new project.
  await expect.poll(replays, { timeout: 5_000 }).toBeGreaterThan(before);
}

describe('the NextJS example', () => {
  it('signs in as the demo user', async () => {
    await page.goto(APP);
    await page.getByRole('button', { name: 'Sign in as demo user' }).click();
    await page.getByTestId('new-project').waitFor();
    expect(await page.textContent('header')).toContain('demo@example.test');
  });

  it('creates exactly one project on a double click (edge function)', async () => {
    await create('Double click app', (b) => b.dblclick());
    expect(await countProjects('Double click app')).toBe(1);
    await page.reload();
    expect(await page.getByRole('link', { name: 'Double click app' }).count()).toBe(1);
  });

  it('creates exactly one project when submitted twice quickly (edge function)', async () => {
    await create('Twice app', async () => {
      // Two submits in the same tick (Enter twice, a resubmit): both leave before either answers.
      await page.evaluate(() => {
        const form = document.querySelector<HTMLFormElement>('form[data-testid=new-project]')!;
        form.requestSubmit();
        form.requestSubmit();
      });
    });
    expect(await countProjects('Twice app')).toBe(1);
  });

  it('creates exactly one project on a double click through the route handler and the SDK', async () => {
    await create('Route app', (b) => b.dblclick(), 'route');
    expect(await countProjects('Route app')).toBe(1);
  });

  it('follows a build to deployed with a version, then a new build to failed without one', async () => {
    await page.goto(APP);
    await page.getByRole('link', { name: 'Double click app' }).click();
    const status = page.getByTestId('build-status');
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('building');

    await page.getByRole('button', { name: 'Simulate success' }).click();
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('deployed');
    await page.getByTestId('version-id').waitFor();

    await page.getByRole('button', { name: 'Start a new build' }).click();
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('building');
    await page.getByRole('button', { name: 'Simulate failure' }).click();
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toBe('failed');
    expect(await page.getByTestId('version-id').count()).toBe(0);
    expect(await page.getByTestId('build-error').textContent()).toContain('simulated failure');
    const [versions] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.project_versions v join public.projects p on p.id = v.project_id
       where p.name = 'Double click app'`;
    expect(versions!.n).toBe(1);

    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/project-page.png', fullPage: true });
  });

  it('shows an error with its reference id', async () => {
    await page.goto(APP);
    await page.getByLabel('Project name').fill('   ');
    await page.getByRole('button', { name: 'Create project' }).click();
    const ref = page.getByTestId('reference-id');
    await ref.waitFor();
    expect(await ref.textContent()).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(await countProjects('   ')).toBe(0);
  });
});

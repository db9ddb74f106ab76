/**
 * The NextJS example in a real browser (Debian's Chromium through
 * playwright-core), as a user of an AI app builder would try it: create a
 * project from a prompt (a double click or two submits make one), nothing
 * leaks from one creation to the next, follow-up prompts start one build each,
 * builds finished by the worker elsewhere appear live on the open list and
 * page, failed builds show their error and reference id, unknown projects get
 * a way back. Screenshots go to test-artifacts/. Run by `npm run test:e2e`.
 */
import { mkdirSync } from 'node:fs';
import postgres from 'postgres';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient, fromPostgres } from '../../src/index.ts';

const APP = process.env.EXAMPLE_URL!;
const sql = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => undefined });
// The worker, outside the browser: completes builds as service_role.
const workerSql = createPostgresClient(process.env.DATABASE_URL!, { max: 1 });
const worker = fromPostgres(workerSql, { actAs: 'service_role', logger: null });
const LIVE_MS = 2_000;
let browser: Browser;
let page: Page;

/** Idempotent replays recorded so far: the second submit of an action must be one. */
const replays = async () =>
  (await sql<{ n: number }[]>`select (case when is_called then last_value else 0 end)::int as n from private.idempotent_replays`)[0]!.n;

const countProjects = async (name: string) =>
  (await sql<{ n: number }[]>`select count(*)::int as n from public.projects where name = ${name}`)[0]!.n;
const projectOf = async (name: string) =>
  (await sql<{ id: string; current_build_id: string }[]>`select id, current_build_id from public.projects where name = ${name}`)[0]!;
const buildsOf = async (projectId: string) =>
  sql<{ build_id: string; prompt: string | null; status: string }[]>`
    select build_id, prompt, status from public.project_build_metrics where project_id = ${projectId} order by build_id`;

const screenshot = (name: string) => page.screenshot({ path: `test-artifacts/${name}.png`, fullPage: true });

beforeAll(async () => {
  mkdirSync('test-artifacts', { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
           '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
});
afterAll(async () => {
  await browser?.close();
  await sql.end();
  await workerSql.end();
});

async function create(name: string, prompt: string, submit: (button: Locator) => Promise<void>, { via = 'edge', twice = true } = {}) {
  const before = await replays();
  await page.goto(APP);
  await page.getByLabel('What do you want to build?').fill(prompt);
  await page.getByLabel('Project name').fill(name);
  if (via === 'route') {
    await page.getByText('How this form calls the API').click();
    await page.getByLabel('route handler + SDK').check();
  }
  await submit(page.getByRole('button', { name: /Create project|Creating/ }));
  await page.getByTestId('created').waitFor();
  // Let every in-flight request finish before counting.
  await page.waitForFunction(() => !document.querySelector('button[type=submit]')?.textContent?.includes('Creating'));
  // Both submits of a double one reached the database: the second was answered as a replay, not a new project.
  if (twice) await expect.poll(replays, { timeout: 5_000 }).toBeGreaterThan(before);
}

/** Statuses of the timeline's builds, oldest first. */
const timeline = () => page.getByTestId('build').getByTestId('build-status').allTextContents();

describe('the NextJS example', () => {
  it('signs in as the demo user and shows the empty state', async () => {
    await page.goto(APP);
    await page.getByRole('button', { name: 'Sign in as demo user' }).click();
    await page.getByTestId('new-project').waitFor();
    expect(await page.textContent('header')).toContain('demo@example.test');
    expect(await page.getByTestId('no-projects').textContent()).toContain('No projects yet');
  });

  it('offers every framework the database accepts, with labels', async () => {
    const [db] = await sql<{ n: number }[]>`select count(*)::int as n from public.frameworks`;
    expect(await page.getByLabel('Framework').locator('option').count()).toBe(db!.n);
    expect(await page.getByLabel('Framework').locator('option:checked').textContent()).toBe('Next.js');
  });

  it('creates exactly one project on a double click (edge function), and names it', async () => {
    await create('Double click app', 'A habit tracker', (b) => b.dblclick());
    expect(await countProjects('Double click app')).toBe(1);
    expect(await page.getByTestId('created').textContent()).toContain('Created Double click app');
    await page.reload();
    expect(await page.getByRole('link', { name: 'Double click app' }).count()).toBe(1);
  });

  it('creates exactly one project when submitted twice quickly (edge function)', async () => {
    await create('Twice app', 'A recipe box', async () => {
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
    await create('Route app', 'A budget planner', (b) => b.dblclick(), { via: 'route' });
    expect(await countProjects('Route app')).toBe(1);
  });

  it('does not leak one creation into the next', async () => {
    await create('First of two', 'A photo gallery', (b) => b.click(), { twice: false });
    // The form is empty again, ready for a new project.
    expect(await page.getByLabel('What do you want to build?').inputValue()).toBe('');
    expect(await page.getByLabel('Project name').inputValue()).toBe('');
    // Only a new name: the prompt is required, nothing is created with the previous one.
    await page.getByLabel('Project name').fill('Second of two');
    await page.getByRole('button', { name: 'Create project' }).click();
    expect(await page.getByLabel('What do you want to build?').evaluate((e: HTMLTextAreaElement) => e.validity.valueMissing)).toBe(true);
    expect(await countProjects('Second of two')).toBe(0);
    // A failure replaces the success line instead of standing beside it.
    await page.getByLabel('What do you want to build?').fill('A chat app');
    await page.getByLabel('Project name').fill('   ');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByTestId('error').waitFor();
    expect(await page.getByTestId('created').count()).toBe(0);
    expect(await page.getByTestId('reference-id').textContent()).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(await countProjects('   ')).toBe(0);
    await screenshot('error-state');
    // Corrected, the same form creates the project with its own prompt.
    await page.getByLabel('Project name').fill('Second of two');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByTestId('created').waitFor();
    expect(await page.getByTestId('error').count()).toBe(0);
    const [second] = await sql<{ prompt: string }[]>`
      select m.prompt from public.project_build_metrics m join public.projects p on p.id = m.project_id where p.name = 'Second of two'`;
    expect(second!.prompt).toBe('A chat app');
  });

  it('shows a build the worker completes elsewhere on the open list within 2 s, without reload', async () => {
    await page.goto(APP);
    const row = page.getByTestId('project-row').filter({ hasText: 'Twice app' });
    expect(await row.locator('.status').textContent()).toBe('building');
    const { current_build_id } = await projectOf('Twice app');
    await worker.completeBuild({ buildId: current_build_id, status: 'completed' });
    await expect.poll(() => row.locator('.status').textContent(), { timeout: LIVE_MS, interval: 50 }).toBe('deployed');
    await screenshot('project-list');
  });

  it('follows builds on the project page: a follow-up prompt double-clicked starts one build, the worker finishes it live', async () => {
    await page.goto(APP);
    await page.getByRole('link', { name: 'Double click app' }).click();
    await page.getByTestId('timeline').waitFor();
    const { id, current_build_id: first } = await projectOf('Double click app');
    expect(await page.getByTestId('build-prompt').allTextContents()).toEqual(['A habit tracker']);

    // The first build is finished by the worker outside the page: it turns deployed live, with its version.
    await worker.completeBuild({ buildId: first, status: 'completed' });
    await expect.poll(timeline, { timeout: LIVE_MS, interval: 50 }).toEqual(['deployed']);
    await page.getByTestId('version-id').waitFor();
    expect(await page.getByRole('button', { name: 'Simulate success' }).count()).toBe(0); // only for builds in flight

    // A follow-up prompt, double-clicked: one build.
    await page.getByLabel('Follow-up prompt').fill('Add streak reminders');
    await page.getByRole('button', { name: /Start build|Starting/ }).dblclick();
    await expect.poll(timeline, { timeout: LIVE_MS * 2 }).toEqual(['deployed', 'building']);
    await page.waitForFunction(() => !document.querySelector('form[data-testid=follow-up] button')?.textContent?.includes('Starting'));
    expect((await buildsOf(id)).map((b) => b.prompt)).toEqual(['A habit tracker', 'Add streak reminders']);
    expect(await page.getByTestId('build-prompt').allTextContents()).toEqual(['A habit tracker', 'Add streak reminders']);
    expect(await page.getByLabel('Follow-up prompt').inputValue()).toBe('');

    // It fails (through the page's worker simulation): an error with its reference id, no version.
    await page.getByRole('button', { name: 'Simulate failure' }).click();
    await expect.poll(timeline, { timeout: LIVE_MS }).toEqual(['deployed', 'failed']);
    const failed = page.getByTestId('build').nth(1);
    expect(await failed.getByTestId('build-error').textContent()).toContain('simulated failure');
    expect(await failed.getByTestId('build-error').getAttribute('role')).toBe('alert');
    expect(await failed.getByTestId('reference-id').textContent()).toBeTruthy();
    expect(await failed.getByTestId('version-id').count()).toBe(0);
    expect(await page.getByTestId('project-status').textContent()).toBe('failed');

    // A third prompt: deployed, failed, building.
    await page.getByLabel('Follow-up prompt').fill('Try again with a simpler layout');
    await page.getByRole('button', { name: 'Start build' }).click();
    await expect.poll(timeline, { timeout: LIVE_MS * 2 }).toEqual(['deployed', 'failed', 'building']);
    expect(await page.getByTestId('build').nth(0).getByTestId('build-duration').textContent()).toMatch(/\d/);
    expect((await buildsOf(id)).map((b) => b.status)).toEqual(['completed', 'failed', 'started']);
    await screenshot('project-three-builds');
  });

  it('shows a build started elsewhere on the open project page', async () => {
    const { id } = await projectOf('Route app');
    await page.goto(`${APP}/projects/${id}`);
    await page.getByTestId('timeline').waitFor();
    // Another tab of the same user starts a build.
    const [owner] = await sql<{ id: string }[]>`select user_id as id from public.projects where id = ${id}`;
    await fromPostgres(workerSql, { actAs: { userId: owner!.id }, logger: null }).startBuild({ projectId: id, prompt: 'From another tab' });
    await expect.poll(() => page.getByTestId('build-prompt').allTextContents(), { timeout: LIVE_MS, interval: 50 })
      .toEqual(['A budget planner', 'From another tab']);
    expect(await timeline()).toEqual(['superseded', 'building']);
  });

  it('answers an unknown project with a not-found page and a way back', async () => {
    const res = await page.goto(`${APP}/projects/00000000-0000-4000-8000-000000000000`);
    expect(res?.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Project not found');
    await page.getByRole('link', { name: /Back to your projects/ }).click();
    await page.getByTestId('projects').waitFor();
  });
});

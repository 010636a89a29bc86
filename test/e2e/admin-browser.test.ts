/**
 * The admin area in headless Chromium against a real web process: Cancel and Delete ask first (and
 * keeping the job changes nothing), the queue dashboard leads back to the jobs, and the job list
 * fits a 375 px wide phone. No worker runs, so every job stays as the test made it.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createAdmin } from '../../src/db/admins.ts';
import { createWithConversion, NO_CONTACT } from '../../src/db/jobs.ts';
import type { JobView } from '../../src/jobs/types.ts';
import { DEFAULT_OPTIONS } from '../db/fixtures.ts';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { type Service, startService } from '../helpers/processes.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

describe('the admin area in Chromium', { skip: skipWithoutChromium }, () => {
  let stack: Stack;
  let service: Service;
  let browser: Browser;
  let page: Page;

  before(async () => {
    stack = await startStack();
    service = await startService(stack, { workers: 0 });
    await createAdmin(stack.services.db, 'ann', 'correct horse');
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${service.url}/admin/login`);
    await page.getByLabel('Username').fill('ann');
    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${service.url}/admin`);
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await stack?.close();
  });

  /** A job that stays queued: no worker takes it. */
  function queued(video = 'plain'): Promise<JobView> {
    return service.create({ url: stack.site.watchUrl(video), format: 'mp3' });
  }

  /** The list's row of a job, found by its title link. */
  function rowOf(job: JobView) {
    return page.locator('tbody tr').filter({ has: page.locator(`a[href="/jobs/${job.id}"]`) });
  }

  it('asks before deleting a job: keeping it deletes nothing, confirming deletes it', async () => {
    const job = await queued();
    await page.goto(`${service.url}/admin`);
    await rowOf(job)
      .getByRole('link', { name: /^Delete job/ })
      .click();
    await page.getByRole('heading', { name: 'Delete this job?' }).waitFor();
    await page.getByRole('link', { name: 'Keep the job' }).click();
    await page.waitForURL(`${service.url}/admin`);
    assert.equal((await service.job(job.id))?.status, 'queued');
    assert.equal(await rowOf(job).count(), 1);

    await rowOf(job)
      .getByRole('link', { name: /^Delete job/ })
      .click();
    await page.getByRole('button', { name: 'Delete job' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Deleted job ${job.id}` })
      .waitFor();
    assert.equal(await service.job(job.id), null);
    assert.equal(await rowOf(job).count(), 0);
  });

  it('asks before cancelling a job', async () => {
    const job = await queued('second');
    await page.goto(`${service.url}/admin`);
    await rowOf(job)
      .getByRole('link', { name: /^Cancel job/ })
      .click();
    await page.getByRole('heading', { name: 'Cancel this job?' }).waitFor();
    assert.equal((await service.job(job.id))?.status, 'queued');
    await page.getByRole('button', { name: 'Cancel job' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Cancelled job ${job.id}` })
      .waitFor();
    assert.equal((await service.job(job.id))?.status, 'cancelled');
  });

  it('leads back from the queue dashboard to the jobs, and loads nothing from elsewhere', async () => {
    const elsewhere: string[] = [];
    const record = (url: string) => {
      if (!url.startsWith(service.url) && !url.startsWith('data:')) elsewhere.push(url);
    };
    page.on('request', (request) => record(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') elsewhere.push(message.text());
    });
    await page.goto(`${service.url}/admin/queues`);
    await page.getByText('ytconv-convert').first().waitFor();
    assert.deepEqual(elsewhere, [], 'no request or refusal beyond the app');
    const back = page.getByRole('link', { name: 'Back to the jobs' });
    assert.ok(await back.isVisible());
    await back.click();
    await page.waitForURL(`${service.url}/admin`);
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
  });

  it('fits the job list on a 375 px wide phone, every cell on the screen', async () => {
    await queued('music');
    await failedWithLongTexts(stack);
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${service.url}/admin`);
    // A string, evaluated in the page: the tests are type-checked without the DOM's types.
    const [scrollWidth, clientWidth] = await page.evaluate<[number, number]>(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    );
    assert.ok(scrollWidth <= clientWidth, `the page is ${scrollWidth} px wide on a ${clientWidth} px screen`);
    const cells = await page.locator('tbody td').all();
    // Null for a cell that is not shown (an empty one).
    const boxes = (await Promise.all(cells.map((cell) => cell.boundingBox()))).filter((box) => box !== null);
    assert.ok(boxes.length >= 2 * 5, `${boxes.length} cells shown`);
    for (const box of boxes) {
      assert.ok(box.x >= 0 && box.x + box.width <= clientWidth, `a cell spans ${box.x}…${box.x + box.width} px`);
    }
  });
});

/** A failed job whose title, link and error are longer than a phone is wide, with no spaces to break at. */
async function failedWithLongTexts(stack: Stack): Promise<void> {
  const long = 'x'.repeat(120);
  const job = await createWithConversion(
    stack.services.db,
    {
      source_kind: 'url',
      source_site: 'generic',
      source_id: null,
      source_url: `${stack.site.watchUrl('private')}&${long}`,
      options_key: null,
      title: `Title${long}`,
      options: DEFAULT_OPTIONS,
    },
    NO_CONTACT,
  );
  assert.ok(job);
  await stack.services.db
    .updateTable('conversions')
    .set({ status: 'failed', duration: 3723, error_code: 'unavailable', error_message: `Private${long}` })
    .where('id', '=', job.conversion_id)
    .execute();
}

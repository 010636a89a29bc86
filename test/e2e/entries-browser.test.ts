/**
 * Choosing a playlist's entries, and pasting several links, through the page in headless
 * Chromium against real web and worker processes and the stand-in site: at a phone's width, in
 * dark mode, with the keyboard.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { type Service, startService } from '../helpers/processes.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

describe('choosing entries and pasting links in Chromium', { skip: skipWithoutChromium }, () => {
  let stack: Stack;
  let service: Service;
  let browser: Browser;
  let page: Page;

  before(async () => {
    stack = await startStack();
    service = await startService(stack);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await stack?.close();
  });

  /** The home page with this link pasted, its entries listed. */
  async function listEntries(url: string): Promise<void> {
    await page.goto(service.url);
    await page.getByTestId('url-input').fill(url);
    await page.getByTestId('choose-entries').click();
    await page.getByTestId('entry-checkbox').first().waitFor();
  }

  const rows = () =>
    page
      .locator('.entry-picker__row')
      .evaluateAll((items) =>
        items.map((row) => [
          (row.querySelector('input') as unknown as { checked: boolean }).checked,
          row.querySelector('label')?.textContent ?? '',
        ]),
      );

  it('lists a playlist’s entries, and converts exactly those left ticked', async () => {
    await listEntries(stack.site.playlistUrl('mix'));
    assert.deepEqual(await rows(), [
      [true, '01Test Artist - Sine Song0:12'],
      [true, '02Plain Tone Video0:06'],
      [true, '03Second Tone0:05'],
    ]);
    // Unticked with the keyboard, found by its label.
    await page.getByRole('checkbox', { name: /Sine Song/ }).focus();
    await page.keyboard.press('Space');
    assert.equal(await page.locator('.entry-picker__count').textContent(), '2 of 3 chosen');
    assert.equal(await page.locator('#items').inputValue(), '2-3', 'the ticks write the advanced field');

    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/jobs'),
      page.getByTestId('submit').click(),
    ]);
    assert.equal(request.postDataJSON().items, '2-3');
    await page.waitForURL(/\/jobs\/[^/]+$/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
    const job = await service.waitFor(id, 'done', 120_000);
    assert.deepEqual(
      job.entries?.map((e) => [e.position, e.title, e.status]),
      [
        [2, 'Plain Tone Video', 'done'],
        [3, 'Second Tone', 'done'],
      ],
    );
    assert.deepEqual(
      job.files.map((f) => f.name),
      ['02 - Plain Tone Video.mp3', '03 - Second Tone.mp3'],
    );
  });

  it('fits a phone’s width in dark mode, and will not send a list with nothing ticked', async () => {
    await listEntries(stack.site.playlistUrl('mix'));
    // Strings, evaluated in the page: the tests are type-checked without the DOM's types.
    const [scrollWidth, clientWidth] = await page.evaluate<[number, number]>(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    );
    assert.ok(scrollWidth <= clientWidth, `the page is ${scrollWidth} px wide on a ${clientWidth} px screen`);
    const background = await page.evaluate<string>(
      'getComputedStyle(document.querySelector(".entry-picker__list")).backgroundColor',
    );
    assert.equal(background, 'rgb(26, 30, 41)', 'the dark theme’s surface');

    let sent = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST') sent += 1;
    });
    await page.getByRole('button', { name: 'Select none' }).click();
    await page.getByTestId('submit').click();
    await page.locator('#entries-error').waitFor();
    assert.equal(await page.locator('#entries-error').textContent(), 'Tick at least one entry to convert.');
    assert.equal(sent, 0, 'nothing was sent');
    await page.getByRole('button', { name: 'Select all' }).click();
    assert.equal(await page.locator('#items').inputValue(), '', 'every entry: no selection');
    assert.equal(await page.locator('#entries-error').isHidden(), true);
  });

  it('says a single video has no entries to choose', async () => {
    await page.goto(service.url);
    await page.getByTestId('url-input').fill(stack.site.watchUrl('plain'));
    await page.getByTestId('choose-entries').click();
    await page.getByTestId('entries-note').waitFor();
    assert.match(
      (await page.getByTestId('entries-note').textContent()) ?? '',
      /one video, “Plain Tone Video”: there are no entries to choose/,
    );
  });

  it('converts several pasted links, each its own job, shown together', async () => {
    await page.goto(service.url);
    const links = [stack.site.watchUrl('plain'), stack.site.watchUrl('second')];
    await page.getByTestId('url-input').fill(`Two songs:\n${links[0]}\n${links[1]}`);
    assert.equal(await page.getByTestId('choose-entries').isHidden(), true, 'several links: nothing to choose');
    await page.getByTestId('format-select').selectOption('opus');
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\?ids=/);
    const ids = new URL(page.url()).searchParams.get('ids')?.split(',') ?? [];
    assert.equal(ids.length, 2);
    await page.waitForSelector(
      '[data-testid="jobs-item"][data-status="done"] ~ [data-testid="jobs-item"][data-status="done"]',
      {
        timeout: 120_000,
      },
    );
    const jobs = await Promise.all(ids.map((id) => service.job(id)));
    assert.deepEqual(
      jobs.map((job) => [job?.source.url, job?.files.map((f) => f.name)]),
      [
        [links[0], ['Plain Tone Video.opus']],
        [links[1], ['Second Tone.opus']],
      ],
    );
  });
});

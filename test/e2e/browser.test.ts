/**
 * The page in headless Chromium (Debian's, driven by playwright-core) against real web and worker
 * processes: a link is converted with live progress and downloaded, a job is cancelled from its
 * page, a refused link is explained. With YTCONV_SCREENSHOT=1 it also refreshes the README's
 * screenshots in docs/.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { audioOf, ffprobe } from '../helpers/ffprobe.ts';
import { type Service, startService } from '../helpers/processes.ts';
import { type Stack, startStack } from '../helpers/stack.ts';
import { zipEntryNames } from '../helpers/zip.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');
const screenshots = process.env.YTCONV_SCREENSHOT === '1';

describe('the page in Chromium', { skip: skipWithoutChromium }, () => {
  let stack: Stack;
  let service: Service;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    stack = await startStack();
    service = await startService(stack);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page = await context.newPage();
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await stack?.close();
  });

  /** Fills in the home page's form and submits it; returns the id from the job page's address. */
  async function submit(url: string, format = 'mp3'): Promise<string> {
    await page.goto(service.url);
    await page.getByTestId('url-input').fill(url);
    await page.getByTestId('format-select').selectOption(format);
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\/[^/]+$/);
    return decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
  }

  it('converts a link with one bar that only moves forward, every step it passed shown, and downloads a valid MP3', async () => {
    const id = await submit(stack.site.watchUrl('slow'));
    assert.equal(new URL(page.url()).pathname, `/jobs/${id}`);
    const seen = await followProgress(page);
    assert.ok(increases(seen.values) >= 5, `progress values seen: ${seen.values.join(', ')}`);
    assert.deepEqual(
      seen.values,
      [...seen.values].sort((a, b) => a - b),
      `went back: ${seen.values.join(', ')}`,
    );
    assert.ok(seen.phases.has('Downloading'), `phases seen: ${[...seen.phases].join(', ')}`);
    assert.deepEqual(seen.skipped, [], 'no step before the current one was left unmarked');
    // A streamed encode converts while it downloads; its tail, and putting the tagged file in
    // place, are moments: the page may go from Downloading straight to the finished job.
    assert.ok(seen.passed.has('Reading info'), `steps shown as passed: ${[...seen.passed].join(', ')}`);
    assert.ok(seen.etas.length > 0, 'an ETA was shown');
    assert.equal(await page.getByTestId('job-title').textContent(), 'Slow Delivery');
    if (screenshots) await page.screenshot({ path: join(DOCS, 'screenshot.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    assert.equal(download.suggestedFilename(), 'Slow Delivery.mp3');
    const probed = await ffprobe(await download.path());
    assert.equal(audioOf(probed).codec_name, 'mp3');
    const expected = stack.site.video('slow').duration;
    assert.ok(Math.abs(Number(probed.format.duration) - expected) <= 0.15, `${probed.format.duration} s`);
  });

  it('shows a finished song’s cover served by the app, and never contacts the video site', async () => {
    const watching = await context.newPage();
    const requested: string[] = [];
    const errors: string[] = [];
    watching.on('request', (request) => requested.push(request.url()));
    watching.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    watching.on('pageerror', (error) => errors.push(error.message));
    try {
      await watching.goto(service.url);
      await watching.getByTestId('url-input').fill(stack.site.watchUrl('plain'));
      await watching.getByTestId('format-select').selectOption('m4a');
      await watching.getByTestId('submit').click();
      await watching.getByTestId('download').waitFor({ timeout: 60_000 });
      const shown = await watching.getByTestId('cover').evaluate(async (element) => {
        const img = element as unknown as LoadedImage;
        // Resolves once the image has loaded (rejects if it cannot be).
        await img.decode();
        return [img.src, img.naturalWidth, img.naturalHeight];
      });
      const job = await service.job(decodeURIComponent(new URL(watching.url()).pathname.split('/').at(-1) ?? ''));
      assert.deepEqual(shown, [`${service.url}${job?.cover}`, 720, 720]);
    } finally {
      await watching.close();
    }
    const elsewhere = requested.filter((url) => new URL(url).origin !== service.url);
    assert.deepEqual(elsewhere, [], 'every request went to the app');
    assert.ok(
      requested.some((url) => url.includes('/cover/')),
      requested.join('\n'),
    );
    assert.deepEqual(errors, []);
  });

  it('cancels a running job from its page', async () => {
    // Another format than above: the same request would be answered from the finished job.
    const id = await submit(stack.site.watchUrl('slow'), 'opus');
    await page.waitForSelector('[data-testid="job-status"][data-status="running"]');
    await page.getByTestId('cancel').click();
    await page.waitForSelector('[data-testid="job-status"][data-status="cancelled"]');
    assert.equal((await service.job(id))?.status, 'cancelled');
  });

  /** The job's status badge once the job has ended, whichever way. */
  const ended = ['done', 'failed', 'cancelled']
    .map((status) => `[data-testid="job-status"][data-status="${status}"]`)
    .join(', ');

  /** Each playlist row as [title, status, its error or download text]. */
  async function entryRows(): Promise<string[][]> {
    return page
      .getByTestId('entry')
      .evaluateAll((rows) =>
        rows.map((row) => [
          row.querySelector('.entry__title')?.textContent ?? '',
          row.getAttribute('data-status') ?? '',
          row.querySelector('.entry__error')?.textContent ??
            row.querySelector('[data-testid="download"]')?.textContent ??
            '',
        ]),
      );
  }

  it('names every playlist entry, and the private one failed with its reason while the others finish', async () => {
    const id = await submit(stack.site.playlistUrl('withbad'));
    await page.waitForSelector(ended, { timeout: 120_000 });
    assert.equal((await service.job(id))?.status, 'done');
    assert.deepEqual(await entryRows(), [
      ['Plain Tone Video', 'done', 'Download'],
      ['[Private video]', 'failed', 'This video is private.'],
      ['Second Tone', 'done', 'Download'],
    ]);
    assert.match((await page.locator('.entries__count').textContent()) ?? '', /^2 of 3 done · 1 failed$/);
    if (screenshots) await page.screenshot({ path: join(DOCS, 'screenshot-playlist.png'), fullPage: true });
  });

  it('keeps the finished entry of a playlist cancelled midway, and says so', async () => {
    const id = await submit(stack.site.playlistUrl('withslow'));
    await page.waitForSelector('[data-testid="entry"]:nth-child(2)[data-status="running"]', { timeout: 60_000 });
    await page.getByTestId('cancel').click();
    await page.waitForSelector('[data-testid="job-status"][data-status="cancelled"]');
    assert.deepEqual(await entryRows(), [
      ['Plain Tone Video', 'done', 'Download'],
      ['Slow Delivery', 'cancelled', ''],
      ['Second Tone', 'skipped', ''],
    ]);
    // A finished entry shows its download instead of a badge.
    assert.deepEqual(await page.getByTestId('entry').locator('.badge').allTextContents(), ['Cancelled', 'Skipped']);
    const result = (await page.locator('main').textContent()) ?? '';
    assert.doesNotMatch(result, /Nothing was kept/);
    assert.match(
      (await page.getByTestId('kept').textContent()) ?? '',
      /1 of 3 entries finished before it stopped is kept: download it below/,
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    assert.equal(download.suggestedFilename(), '01 - Plain Tone Video.mp3');
    assert.equal(audioOf(await ffprobe(await download.path())).codec_name, 'mp3');
    assert.equal((await service.job(id))?.status, 'cancelled');
  });

  it('keeps the quotes of titles in the names of a playlist’s files and of its ZIP', async () => {
    const id = await submit(stack.site.playlistUrl('quoted'));
    await page.waitForSelector(ended, { timeout: 120_000 });
    assert.equal((await service.job(id))?.status, 'done');
    const names = ['01 - Say "Hi".mp3', '02 - Second Tone.mp3'];
    assert.deepEqual(
      (await service.job(id))?.files.map((file) => file.name),
      names,
    );
    const labels = await page
      .getByTestId('download')
      .evaluateAll((links) => links.map((a) => a.getAttribute('aria-label')));
    assert.deepEqual(
      labels,
      names.map((name) => `Download ${name}`),
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-all').click()]);
    // Chromium itself turns `"` into `_` in any name it saves, on every system (its
    // base/i18n/file_util_icu.cc); it was sent the exact name, as the archive's entries show.
    assert.equal(download.suggestedFilename(), 'Songs _Quoted_.zip');
    const album = 'Songs "Quoted"';
    assert.deepEqual(zipEntryNames(await readFile(await download.path())), [
      ...names.map((name) => `${album}/${name}`),
      `${album}/${album}.m3u8`,
    ]);
  });

  it('converts three pasted links as three jobs shown together, and zips all their files at once', async () => {
    await page.goto(service.url);
    const links = [stack.site.watchUrl('plain'), stack.site.watchUrl('second'), stack.site.watchUrl('music')];
    await page.getByTestId('url-input').fill(`My picks:\n${links[0]}\n${links[1]}, and ${links[2]}.`);
    await page.getByTestId('format-select').selectOption('ogg');
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\?ids=/);
    const ids = new URL(page.url()).searchParams.get('ids')?.split(',') ?? [];
    assert.equal(ids.length, 3);
    // The list is read again while any job runs: all three reach done on this page.
    await page.locator('[data-testid="jobs-item"][data-status="done"]').nth(2).waitFor({ timeout: 120_000 });
    // The address names the jobs: a reload shows the same three.
    await page.reload();
    // Read once the jobs' views are in: the list may be drawn before they are.
    await page.locator('[data-testid="jobs-item"][data-status="done"]').nth(2).waitFor();
    await page.locator('.jobs__link', { hasText: 'Music Track' }).waitFor();
    const titles = await page.locator('.jobs__link').allTextContents();
    assert.deepEqual(titles, ['Plain Tone Video', 'Second Tone', 'Music Track']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-all').click()]);
    assert.deepEqual(zipEntryNames(await readFile(await download.path())), [
      'Plain Tone Video.ogg',
      'Second Tone.ogg',
      'Music Track.ogg',
    ]);
  });

  it('is an installable page whose share target takes a link shared from a phone, and starts it when asked', async () => {
    const cdp = await context.newCDPSession(page);
    await page.goto(service.url);
    const manifest = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; data: string };
    assert.deepEqual(manifest.errors, []);
    const shareTarget = JSON.parse(manifest.data).share_target;
    assert.deepEqual(shareTarget.params, { title: 'title', text: 'text', url: 'url' });

    // YouTube's app shares its link inside the text, as the manifest's share target receives it.
    const url = stack.site.watchUrl('plain');
    const shared = new URLSearchParams({ text: `Look at this ${url}` });
    await page.goto(`${service.url}${shareTarget.action}?${shared}`);
    assert.equal(await page.getByTestId('url-input').inputValue(), url);
    assert.equal(new URL(page.url()).pathname, '/', 'filled in, not started');

    shared.set('go', '1');
    await page.goto(`${service.url}${shareTarget.action}?${shared}`);
    await page.waitForURL(/\/jobs\/[^/]+$/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
    const job = await service.waitFor(id, 'done');
    assert.equal(job.source.url, url);
    await page.goBack();
    assert.equal(new URL(page.url()).searchParams.get('go'), null, 'going back does not start it again');
  });

  it('explains a refused link on the form', async () => {
    await page.goto(service.url);
    await page.getByTestId('url-input').fill('ftp://x');
    await page.getByTestId('submit').click();
    const error = page.getByTestId('error');
    await error.waitFor({ state: 'visible' });
    const text = (await error.textContent()) ?? '';
    assert.match(text, /doesn’t look like a link ytconv can read/);
    assert.match(text, /Only http and https links are supported, not ftp/);
    assert.equal(new URL(page.url()).pathname, '/');
  });
});

/** The parts of an <img> the cover test reads (this project's types have no DOM). */
interface LoadedImage {
  src: string;
  naturalWidth: number;
  naturalHeight: number;
  decode(): Promise<void>;
}

interface Seen {
  /** The progress bar's values while it had one, in order (repeats included). */
  values: number[];
  /** The phase labels shown. */
  phases: Set<string>;
  /** Steps shown as done. */
  passed: Set<string>;
  /** Steps shown neither done nor current while a later one was current. */
  skipped: string[];
  /** The ETAs shown. */
  etas: string[];
}

/** The step indicator: each step's label with done/current. */
function steps(page: Page) {
  return page.locator('.step:not([hidden])').evaluateAll((items) =>
    items.map((li) => ({
      label: li.textContent ?? '',
      done: li.classList.contains('step--done'),
      current: li.classList.contains('step--current'),
    })),
  );
}

/**
 * Watches the job page until its download button appears, sampling the progress bar and the phase
 * label several times a second. With YTCONV_SCREENSHOT=1, takes the running page's screenshot.
 */
async function followProgress(page: Page, timeoutMs = 30_000): Promise<Seen> {
  const seen: Seen = { values: [], phases: new Set(), passed: new Set(), skipped: [], etas: [] };
  const deadline = Date.now() + timeoutMs;
  let shot = !screenshots;
  while (!(await page.getByTestId('download').isVisible())) {
    if (Date.now() > deadline) throw new Error(`no download button after ${timeoutMs} ms`);
    const [value, phase, shown, eta] = await Promise.all([
      page
        .getByTestId('progress')
        .getAttribute('value', { timeout: 1000 })
        .catch(() => null),
      page
        .getByTestId('phase')
        .textContent({ timeout: 1000 })
        .catch(() => null),
      steps(page),
      page
        .getByTestId('eta')
        .textContent({ timeout: 1000 })
        .catch(() => null),
    ]);
    if (value !== null) seen.values.push(Number(value));
    if (phase) seen.phases.add(phase);
    if (eta) seen.etas.push(eta);
    const current = shown.findIndex((step) => step.current);
    for (const [i, step] of shown.entries()) {
      if (step.done) seen.passed.add(step.label);
      if (i < current && !step.done) seen.skipped.push(step.label);
    }
    if (!shot && Number(value) > 0.4) {
      // The bar slides to a new value in 0.4 s (even with reduced motion); updates are ≥ 1 s apart.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await page.screenshot({ path: join(DOCS, 'screenshot-progress.png') });
      shot = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return seen;
}

/** How often a value is higher than the one before. */
function increases(values: readonly number[]): number {
  return values.filter((value, i) => i > 0 && value > (values[i - 1] ?? Number.POSITIVE_INFINITY)).length;
}

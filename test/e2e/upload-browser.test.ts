/**
 * Uploading from the page in Chromium against real web and worker processes: the limit is stated
 * and a bigger file refused before a byte is sent, Cancel really stops an upload (no job, no row,
 * no file left), a file dropped anywhere lands in the form, names with quotes, accents and percent
 * signs come through intact, and a cut-off file is converted and flagged.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { type Service, startService } from '../helpers/processes.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

const exec = promisify(execFile);
const LIMIT_MB = 5;

describe('uploads from the page in Chromium', { skip: skipWithoutChromium }, () => {
  let stack: Stack;
  let service: Service;
  let browser: Browser;
  let page: Page;
  let dir: string;
  /** Multipart POSTs the page made to /api/jobs since the test began. */
  let posts: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ytconv-upload-browser-'));
    stack = await startStack({ YTCONV_MAX_UPLOAD: `${LIMIT_MB}M` });
    service = await startService(stack);
    browser = await launchChromium();
    page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/jobs') posts += 1;
    });
  });
  beforeEach(async () => {
    posts = 0;
    await page.goto(service.url);
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Every file under the service's upload directory (the incoming uploads and those kept for jobs). */
  async function uploadedFiles(): Promise<string[]> {
    const root = join(String(stack.env.YTCONV_STORAGE_DIR), 'uploads');
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  }

  async function countRows(): Promise<{ jobs: number; conversions: number }> {
    const { db } = stack.services;
    const count = async (table: 'jobs' | 'conversions') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { jobs: await count('jobs'), conversions: await count('conversions') };
  }

  async function tone(name: string, seconds: number): Promise<string> {
    const path = join(dir, name);
    await exec('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=duration=${seconds}`, '-b:a', '96k', path]);
    return path;
  }

  it('states the limit, and refuses a bigger file when it is chosen, before any byte is sent', async () => {
    assert.match((await page.locator('#file-hint').textContent()) ?? '', new RegExp(`up to ${LIMIT_MB} MB`));
    const big = join(dir, 'big.wav');
    await writeFile(big, Buffer.alloc((LIMIT_MB + 1) * 1024 * 1024));
    await page.getByTestId('file-input').setInputFiles(big);
    assert.match((await page.locator('#file-error').textContent()) ?? '', /“big\.wav” is .*up to 5 MB/);
    assert.equal(await page.getByTestId('file-input').getAttribute('aria-invalid'), 'true');
    await page.getByTestId('submit').click();
    // Nothing was chosen, so the form asks for a link instead of sending anything.
    assert.match((await page.locator('#url-error').textContent()) ?? '', /Paste a link/);
    assert.equal(posts, 0);
  });

  it('cancels an upload midway: no job, no row and no file is left', async () => {
    const rowsBefore = await countRows();
    const path = join(dir, 'long.wav');
    await writeFile(path, Buffer.alloc(4 * 1024 * 1024));
    // A slow link, so that the upload is still going when Cancel is pressed.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    try {
      await page.getByTestId('file-input').setInputFiles(path);
      await page.getByTestId('submit').click();
      // The server has started writing the upload, and the page shows how fast it goes.
      await until(async () => (await uploadedFiles()).length === 1);
      await page
        .getByTestId('upload-rate')
        .filter({ hasText: /[KM]B\/s · about .* left/ })
        .waitFor();
      await page.getByTestId('cancel-upload').click();
      await page.getByTestId('submit').filter({ hasText: 'Convert' }).waitFor();
      // The aborted request ends in the server discarding what it got; only then is there nothing.
      await until(async () => (await uploadedFiles()).length === 0);
    } finally {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    }
    assert.equal(posts, 1);
    assert.deepEqual(await countRows(), rowsBefore);
    assert.match(page.url(), /\/$/, 'still on the form');
    assert.equal(await page.getByTestId('error').isHidden(), true);
  });

  it('takes a file dropped anywhere on the page, and ignores dropped text', async () => {
    // A string, evaluated in the page: the tests are type-checked without the DOM's types.
    const drop = (selector: string, what: 'file' | 'text') =>
      page.evaluate<boolean>(`(() => {
        const data = new DataTransfer();
        if (${JSON.stringify(what)} === 'file') data.items.add(new File([new Uint8Array(1000)], 'Dropped Song.mp3'));
        else data.setData('text/plain', 'https://example.org/elsewhere');
        const event = new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
        document.querySelector(${JSON.stringify(selector)}).dispatchEvent(event);
        return event.defaultPrevented;
      })()`);
    // The page builds the form once the catalog has come.
    await page.getByTestId('file-input').waitFor({ state: 'attached' });
    assert.equal(await drop('h1', 'text'), true, 'the browser does not follow a dropped link');
    assert.equal(await page.locator('.file-chip').isHidden(), true);
    assert.equal(await drop('h1', 'file'), true, 'the browser does not open the file');
    assert.equal(await page.locator('.file-chip__name').textContent(), 'Dropped Song.mp3');
    assert.equal(await page.getByTestId('url-input').isDisabled(), true);
  });

  it('keeps quotes, accents and percent signs of a file’s name from the form to the download', async () => {
    const name = 'Say "Hi" — Café 100%';
    const path = await tone(`${name}.mp3`, 4);
    await page.getByTestId('file-input').setInputFiles(path);
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\/[^/]+$/);
    await page.getByTestId('download').waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('job-title').textContent(), name);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
    const job = (await service.job(id)) ?? assert.fail('no job');
    assert.equal(job.title, name);
    assert.equal(job.source.url, `${name}.mp3`);
    // The name people see keeps the quotes; only the file in storage is named without them.
    const file = job.files[0] ?? assert.fail('no file');
    assert.equal(file.name, `${name}.mp3`);
    const res = await service.fetch(file.url);
    const disposition = res.headers.get('content-disposition') ?? '';
    await res.arrayBuffer();
    const exact = /filename\*=UTF-8''(.+)$/.exec(disposition)?.[1] ?? assert.fail(disposition);
    assert.equal(decodeURIComponent(exact), file.name);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    // Chromium itself turns `"` into `_` in any name it saves, on every system (its
    // base/i18n/file_util_icu.cc): the header above gave it the quotes, and no `%22`.
    assert.equal(download.suggestedFilename(), `${name.replaceAll('"', '_')}.mp3`);
  });

  it('converts a file cut off at a third, and says where it ended', async () => {
    const path = await tone('Cut Short.mp3', 30);
    await truncate(path, Math.floor((await stat(path)).size / 3));
    await page.getByTestId('file-input').setInputFiles(path);
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\/[^/]+$/);
    await page.getByTestId('download').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('truncated').textContent()) ?? '', /^The file ended at 0:1\d of 0:30/);
  });
});

/** Polls `check` until it holds, for what has no event to wait on (files appearing on disk). */
async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

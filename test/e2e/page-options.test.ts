/**
 * The form's format and quality in Chromium against real web and worker processes: by default the
 * source's audio is kept as it is (the same packets come back), the quality menu follows the
 * format unless the person picked one, trim times are judged by the server alone, and the on/off
 * options come from the catalog (ReplayGain never together with normalize).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { audioOf, audioPacketHash, ffprobe, tagsOf } from '../helpers/ffprobe.ts';
import { type Service, startService } from '../helpers/processes.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

const exec = promisify(execFile);

describe('the form’s format and quality in Chromium', { skip: skipWithoutChromium }, () => {
  let stack: Stack;
  let service: Service;
  let browser: Browser;
  let page: Page;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ytconv-page-options-'));
    stack = await startStack();
    service = await startService(stack);
    browser = await launchChromium();
    page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Submits the form as it stands and downloads the single result. */
  async function convertAndDownload(): Promise<string> {
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\/[^/]+$/);
    await page.getByTestId('download').waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    return download.path();
  }

  it('keeps a 96 kbps MP3 upload as it is by default: the same packets, not inflated to 192 kbps', async () => {
    const mp3 = join(dir, 'Quiet Tone.mp3');
    await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=8', '-b:a', '96k', mp3]);
    await page.goto(service.url);
    await page.getByTestId('file-input').setInputFiles(mp3);
    await page.getByTestId('format-select').selectOption('mp3');
    assert.equal(await page.getByTestId('quality-select').inputValue(), 'original');
    assert.match((await page.getByTestId('quality-plan').textContent()) ?? '', /No re-encode/);

    const result = await convertAndDownload();
    assert.equal(await audioPacketHash(result), await audioPacketHash(mp3));
    const probed = await ffprobe(result);
    assert.equal(audioOf(probed).codec_name, 'mp3');
    // The tags and cover add a little; a 192 kbps re-encode would double the audio.
    assert.ok((await stat(result)).size < (await stat(mp3)).size * 1.5, 'no larger re-encode');
  });

  it('keeps a link’s Opus as it is when Opus is chosen', async () => {
    await page.goto(service.url);
    await page.getByTestId('url-input').fill(stack.site.watchUrl('plain'));
    await page.getByTestId('format-select').selectOption('opus');
    const result = await convertAndDownload();
    assert.equal(await audioPacketHash(result), await audioPacketHash(stack.site.mediaPath('plain', '251')));
  });

  it('lets the default follow the format, and a quality the person picked follow the person', async () => {
    await page.goto(service.url);
    const format = page.getByTestId('format-select');
    const quality = page.getByTestId('quality-select');
    await format.selectOption('mp3');
    await quality.selectOption('320k');
    await format.selectOption('opus');
    // Opus offers no 320k: back to its default, which says so.
    assert.equal(await quality.inputValue(), 'original');
    assert.match((await quality.locator('option:checked').textContent()) ?? '', /Original \(no re-encode\) · default/);
    await quality.selectOption('128k');
    await format.selectOption('m4a');
    assert.equal(await quality.inputValue(), '128k');
    assert.equal(await page.getByTestId('quality-plan').textContent(), 'Encodes to M4A (AAC) at 128 kbps.');
  });

  it('offers ReplayGain tags, unchecks normalize when they are checked (and back), and tags the file', async () => {
    await page.goto(service.url);
    await page.getByTestId('url-input').fill(stack.site.watchUrl('plain'));
    await page.getByTestId('format-select').selectOption('flac');
    await page.getByText('Advanced options').click();
    const replaygain = page.getByLabel('ReplayGain tags');
    const normalize = page.getByLabel('Normalize loudness (−14 LUFS)');
    await normalize.check();
    await replaygain.check();
    assert.equal(await normalize.isChecked(), false, 'checking ReplayGain unchecks normalize');
    await normalize.check();
    assert.equal(await replaygain.isChecked(), false, 'and the other way round');
    await replaygain.check();
    const tags = tagsOf(await ffprobe(await convertAndDownload()));
    assert.match(tags.replaygain_track_gain ?? '', /^[-+]\d\d\.\d\d dB$/);
    assert.equal(tags.replaygain_album_gain, undefined, 'a single video is no album');
    assert.match((await page.locator('.job__meta').textContent()) ?? '', /ReplayGain/);
    assert.doesNotMatch((await page.locator('.job__meta').textContent()) ?? '', /Normalized/);
  });

  it('sends trim times as typed, and marks the one the server refuses with the server’s words', async () => {
    await page.goto(service.url);
    await page.getByTestId('url-input').fill(stack.site.watchUrl('plain'));
    await page.getByText('Advanced options').click();
    await page.locator('#start').fill('1:5');
    await page.getByTestId('submit').click();
    const beside = page.locator('#start-error');
    await beside.waitFor({ state: 'visible' });
    const why = /The start time "1:5" is not a time: write seconds \(90\), m:ss \(1:30\) or h:mm:ss/;
    assert.match((await beside.textContent()) ?? '', why);
    assert.equal(await page.getByTestId('error').isHidden(), true, 'said once, beside the field');
    const start = page.locator('#start');
    assert.equal(await start.getAttribute('aria-invalid'), 'true');
    assert.equal(await start.evaluate((el) => el === el.ownerDocument.activeElement), true, 'focus on the field');
    assert.equal(new URL(page.url()).pathname, '/');
  });

  it('removes the SponsorBlock segments of the categories ticked, and says what it removed', async () => {
    await page.goto(service.url);
    await page.getByTestId('url-input').fill(stack.site.watchUrl('sponsored'));
    await page.getByTestId('format-select').selectOption('flac');
    await page.getByText('Advanced options').click();
    await page.locator('#sponsorblock').selectOption('remove');
    await page.getByTestId('sponsorblock-intro').uncheck();
    const result = await convertAndDownload();
    // 12 s less the sponsor (2.25 s) and the self-promotion (1.25 s); the intro stays.
    assert.equal(Number((await ffprobe(result)).format.duration), 8.5);
    assert.equal(await page.getByTestId('sponsorblock').textContent(), '2 SponsorBlock segments removed (3.5 s).');
  });
});

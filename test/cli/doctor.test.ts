import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runDoctor } from '../../src/cli/doctor.ts';
import { loadConfig } from '../../src/config.ts';

const execFileAsync = promisify(execFile);

/** Runs the real ffmpeg and ffprobe found on PATH; yt-dlp is a stand-in of a chosen age. */
describe('runDoctor', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ytconv-doctor-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  async function fakeYtdlp(name: string, version: string): Promise<string> {
    const file = join(root, name);
    await writeFile(file, `#!/bin/sh\necho '${version}'\n`);
    await chmod(file, 0o755);
    return file;
  }

  async function doctor(env: NodeJS.ProcessEnv): Promise<{ ok: boolean; lines: string[] }> {
    const lines: string[] = [];
    const ok = await runDoctor(loadConfig({ PATH: process.env.PATH, ...env }, root), (line) => lines.push(line));
    return { ok, lines };
  }

  const released = (daysAgo: number) =>
    new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '.');

  it('passes every check on a machine with ffmpeg and a recent yt-dlp', async () => {
    const { ok, lines } = await doctor({ YTCONV_YTDLP: await fakeYtdlp('recent', released(3)) });
    assert.equal(ok, true, lines.join('\n'));
    // Every check passed: one line each, all marked ✓ (no ! warning, no ✗ failure, no fix: line).
    assert.ok(lines.length >= 8 && lines.every((line) => line.startsWith('✓ ')), lines.join('\n'));
    assert.match(lines.join('\n'), /ffmpeg encodes MP3/);
    assert.ok(lines.includes('✓ SponsorBlock API (YTCONV_SPONSORBLOCK_API): https://sponsor.ajay.app'));
    assert.ok(lines.includes('✓ yt-dlp updates: off (YTCONV_YTDLP names the yt-dlp to use)'), lines.join('\n'));
    assert.match(
      lines.join('\n'),
      /paced: youtube 10 per 1 min; a site pauses 30 min after a rate limit or 3 bot walls/,
    );
    assert.match(lines.join('\n'), new RegExp(`JS runtime for yt-dlp: node:${process.execPath} \\(--js-runtimes\\)`));
    assert.match(lines.join('\n'), /✓ operator notices: the log only/);
    assert.match(
      lines.join('\n'),
      /✓ webhooks: each job's own \(webhook_url\), YTCONV_WEBHOOK_URL unset; signed with a key derived/,
    );
    assert.ok(lines.includes('✓ access open: everyone may use the page and the API'), lines.join('\n'));
  });

  it('shows the access mode', async () => {
    const { lines } = await doctor({ YTCONV_ACCESS: 'apikey' });
    assert.ok(
      lines.some((line) => line.startsWith('✓ access apikey: the API needs an API key (ytconv apikey create NAME)')),
      lines.join('\n'),
    );
  });

  it('shows where yt-dlp updates come from, and a pin', async () => {
    const { lines } = await doctor({ YTCONV_YTDLP_PIN: '2025.10.22' });
    const pinned = 'https://github.com/yt-dlp/yt-dlp/releases/download/2025.10.22';
    assert.ok(
      lines.some((line) =>
        line.startsWith(
          `✓ yt-dlp updates: pinned to 2025.10.22, from ${pinned}, canary https://www.youtube.com/watch?v=jNQXAC9IVRw`,
        ),
      ),
      lines.join('\n'),
    );
  });

  it("shows the operator's levers, hiding proxy passwords", async () => {
    const cookies = join(root, 'cookies');
    await mkdir(cookies, { recursive: true });
    await writeFile(join(cookies, 'alice.txt'), '# Netscape HTTP Cookie File\n');
    const { ok, lines } = await doctor({
      YTCONV_YTDLP: await fakeYtdlp('levers', released(3)),
      YTCONV_COOKIES_DIR: cookies,
      YTCONV_PROXIES: 'youtube=http://me:secret@10.0.0.2:3128',
      YTCONV_YTDLP_EXTRACTOR_ARGS: 'youtubepot-bgutilhttp:base_url=http://127.0.0.1:4416',
      YTCONV_YTDLP_SLEEP_REQUESTS: '0.75',
      YTCONV_YTDLP_SLEEP: '5-10',
      YTCONV_OPERATOR_EMAIL: 'ops@example.org',
      YTCONV_OPERATOR_WEBHOOK: 'https://hooks.example.org/services/T0/SECRET',
      YTCONV_WEBHOOK_URL: 'https://jobs.example.org/hooks/SECRET',
      YTCONV_WEBHOOK_SECRET: 'a-webhook-key-of-16+-characters',
    });
    assert.equal(ok, true, lines.join('\n'));
    const text = lines.join('\n');
    assert.match(text, /✓ cookies pool: 1 file\(s\), set aside for 21600 s after a bot wall/);
    assert.match(text, /✓ proxies for youtube: http:\/\/me:\*\*\*@10\.0\.0\.2:3128/);
    assert.doesNotMatch(text, /secret/);
    assert.match(text, /✓ yt-dlp extractor arguments: youtubepot-bgutilhttp:base_url=http:\/\/127\.0\.0\.1:4416/);
    assert.match(text, /✓ yt-dlp spacing: 0\.75 s between requests, 5-10 s before each download/);
    assert.match(
      text,
      /✓ operator notices \(a site paused, a failed canary\): email to ops@example\.org, a webhook at https:\/\/hooks\.example\.org\/…/,
    );
    assert.match(
      text,
      /✓ webhooks: each job's own \(webhook_url\), every job's also to https:\/\/jobs\.example\.org\/…; signed with YTCONV_WEBHOOK_SECRET/,
    );
    assert.doesNotMatch(text, /\/SECRET|a-webhook-key/);
  });

  it('warns about an old yt-dlp but still passes', async () => {
    const { ok, lines } = await doctor({ YTCONV_YTDLP: await fakeYtdlp('old', '2023.03.04') });
    assert.equal(ok, true);
    const warning = lines.findIndex((line) => line.startsWith('! yt-dlp 2023.03.04'));
    assert.ok(warning >= 0, lines.join('\n'));
    assert.match(lines[warning + 1] ?? '', /fix: YouTube changes often/);
    assert.ok(lines.includes('✓ JS runtime for yt-dlp: not needed by this yt-dlp version'), lines.join('\n'));
  });

  it('fails and says what to fix when ffmpeg is missing', async () => {
    const { ok, lines } = await doctor({
      YTCONV_FFMPEG: '/nonexistent',
      YTCONV_YTDLP: await fakeYtdlp('for-ffmpeg', released(3)),
    });
    assert.equal(ok, false);
    const failure = lines.findIndex((line) => line.startsWith('✗ ffmpeg'));
    assert.ok(failure >= 0, lines.join('\n'));
    assert.match(lines[failure] ?? '', /\/nonexistent/);
    assert.equal(lines[failure + 1], '  fix: YTCONV_FFMPEG=/nonexistent: point it at a working ffmpeg, or unset it');
  });

  it('fails when yt-dlp does not run', async () => {
    const { ok, lines } = await doctor({ YTCONV_YTDLP: join(root, 'no-such-yt-dlp') });
    assert.equal(ok, false);
    const failure = lines.findIndex((line) => line.startsWith('✗ yt-dlp'));
    assert.ok(failure >= 0, lines.join('\n'));
    assert.match(lines[failure + 1] ?? '', /fix: YTCONV_YTDLP=.*no-such-yt-dlp: point it at a working yt-dlp/);
  });

  it('makes `ytconv doctor` exit non-zero when conversions cannot work', async () => {
    const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
    const env = { ...process.env, YTCONV_FFMPEG: '/nonexistent' };
    const result = await execFileAsync(process.execPath, [main, 'doctor'], { env }).catch((err) => err);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /fix: YTCONV_FFMPEG=\/nonexistent/);
  });
});

/** `ytconv ytdlp …` as an operator runs it: the real launcher, stand-in releases, the stand-in site as canary. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/db/connect.ts';
import { migrate } from '../../src/db/migrate.ts';
import { freshDatabaseUrl } from '../helpers/database.ts';
import { tempDir } from '../helpers/engine.ts';
import { type Releases, startReleases } from '../site/releases.ts';
import { type Site, startSite } from '../site/server.ts';

const exec = promisify(execFile);
const YTCONV = join(import.meta.dirname, '..', '..', 'bin', 'ytconv');

let database: Awaited<ReturnType<typeof freshDatabaseUrl>>;
let site: Site;
let releases: Releases;
let env: NodeJS.ProcessEnv;

before(async () => {
  [database, site, releases] = await Promise.all([freshDatabaseUrl(), startSite(), startReleases()]);
  const db = openDatabase(database.url);
  const result = await migrate(db);
  await db.destroy();
  if (!result.ok) throw result.error;
  const { YTCONV_YTDLP: _, ...base } = process.env;
  env = {
    ...base,
    DATABASE_URL: database.url,
    YTCONV_STORAGE_DIR: await tempDir('ytconv-storage-'),
    PYTHONPATH: [site.pluginDir, process.env.PYTHONPATH].filter(Boolean).join(':'),
    YTCONV_ALLOWED_SITES: '*',
    YTCONV_ALLOW_PRIVATE_ADDRESSES: 'yes',
    YTCONV_YTDLP_RELEASES: releases.latestUrl,
    YTCONV_YTDLP_CANARY: `${site.origin}/versioned/watch?v=BasicVid_01&since=2024.01.01&broken=2024.03.03`,
  };
});
after(async () => {
  await Promise.all([site?.close(), releases?.close()]);
  await database?.drop();
});

async function ytdlp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(YTCONV, ['ytdlp', ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

describe('ytconv ytdlp', () => {
  it('shows the configured yt-dlp before any update', async () => {
    const { code, stdout } = await ytdlp('status');
    assert.equal(code, 0);
    assert.match(stdout, /^yt-dlp 2023\.03\.04, \d+ days old: the configured one$/m);
    assert.match(stdout, /^last check: never$/m);
  });

  it('updates, refuses a release that fails the canary, rolls back, and says so in status', async () => {
    await releases.publish({ version: '2024.02.02' });
    const first = await ytdlp('update');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Switched from the configured yt-dlp to yt-dlp 2024\.02\.02/);

    await releases.publish({ version: '2024.03.03' });
    const failed = await ytdlp('update');
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /yt-dlp 2024\.03\.03 failed the canary .*; keeping 2024\.02\.02\./);

    await releases.publish({ version: '2024.05.05' });
    assert.equal((await ytdlp('update')).code, 0);
    const rolled = await ytdlp('rollback');
    assert.equal(rolled.code, 0, rolled.stderr);
    assert.match(rolled.stdout, /Rolled back to yt-dlp 2024\.02\.02 \(from 2024\.05\.05\)/);

    const { stdout } = await ytdlp('status');
    assert.match(stdout, /^yt-dlp 2024\.02\.02, \d+ days old: installed by ytconv \(rollback\) /m);
    assert.match(stdout, /^ {2}previous: 2024\.05\.05 /m);
    assert.match(stdout, /^updates: daily$/m);
    assert.match(stdout, /^last check: .*, switched: /m);
    assert.match(stdout, /^last canary: .*, yt-dlp 2024\.05\.05 passed: /m);
  });

  it('explains its usage', async () => {
    const { code, stderr } = await ytdlp('upgrade');
    assert.equal(code, 2);
    assert.match(stderr, /usage: ytconv ytdlp status\|update\|rollback/);
  });
});

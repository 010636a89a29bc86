/**
 * A yt-dlp switch as workers live it: a real worker (in this process, asking the database which
 * yt-dlp to use for every conversion) and stand-in releases. A conversion keeps the yt-dlp it
 * started with; the next one uses the new one, and a link the old one's extractor could not read
 * waits, parked, and converts by itself once the release that fixes it is switched to.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { rerunAfterYtdlpSwitch } from '../../src/jobs/parking.ts';
import { checkForUpdate, type UpdateDeps } from '../../src/jobs/ytdlp-updates.ts';
import { createLogger } from '../../src/log.ts';
import { type Stack, startStack } from '../helpers/stack.ts';
import { type Releases, startReleases } from '../site/releases.ts';

const ROOT = join(import.meta.dirname, '..', '..');

let stack: Stack;
let releases: Releases;
let deps: UpdateDeps;

before(async () => {
  [stack, releases] = await Promise.all([startStack({ YTCONV_YTDLP: '' }), startReleases()]);
  await stack.startWorker();
  const env = {
    ...stack.env,
    YTCONV_YTDLP_UPDATES: 'daily',
    YTCONV_YTDLP_RELEASES: releases.latestUrl,
    YTCONV_YTDLP_CANARY: versionedUrl('BasicVid_01', '2024.01.01'),
  };
  const { engine, service } = loadConfig(env, ROOT);
  const log = createLogger('worker', 'silent');
  const onSwitched = rerunAfterYtdlpSwitch(stack.services, () => {});
  deps = { ...stack.services, engine, settings: service.ytdlpUpdates, log, onSwitched };
});
after(async () => {
  await stack?.close();
  await releases?.close();
});

/** The stand-in video through the extractor that works only with yt-dlp `since` or later. */
function versionedUrl(id: string, since: string): string {
  return `${stack.site.origin}/versioned/watch?v=${id}&since=${since}`;
}

/** The yt-dlp versions that extracted the video, from the site's log of its API. */
function extractedBy(id: string): string[] {
  return stack.site.requests.flatMap((r) => {
    const match = new RegExp(`^/api/videos/${id}\\?yt_dlp=(.+)$`).exec(r.path);
    return match?.[1] ? [match[1]] : [];
  });
}

describe('switching yt-dlp under a running worker', () => {
  it('parks a link the old yt-dlp cannot read, converts it after the switch unasked, and leaves a running job on its own', async () => {
    // Not the canary's video, so that only the conversion can have extracted it.
    const { id } = stack.site.video('plain');
    const broken = await stack.jobs.create({ url: versionedUrl(id, '2024.02.02'), format: 'mp3' });
    const parked = await stack.waitUntil(broken.id, (view) => view.waiting !== null);
    assert.equal(parked.status, 'queued');
    assert.equal(parked.waiting?.cause, 'extractor_broken');

    // A slow download, so that the switch happens while this job runs.
    const slow = await stack.site.addVideo({ name: 'slow-switch', seconds: 6, bytesPerSecond: 10_000 });
    const running = await stack.jobs.create({ url: versionedUrl(slow.id, ''), format: 'opus' });
    await stack.waitUntil(running.id, (view) => view.phase === 'downloading');

    await releases.publish({ version: '2024.02.02' });
    const check = await checkForUpdate(deps, { scheduled: false });
    assert.equal(check.outcome, 'switched', check.message);
    assert.equal((await stack.jobs.get(running.id))?.status, 'running', 'switched while the job ran');

    await stack.waitFor(running.id, 'done');
    assert.deepEqual(extractedBy(slow.id), ['2023.03.04'], 'the running job kept its yt-dlp');

    // The parked job, never resubmitted, ran again with the new yt-dlp.
    const done = await stack.waitFor(broken.id, 'done');
    assert.equal(done.files.length, 1);
    assert.deepEqual(extractedBy(id), ['2024.02.02'], 'the old yt-dlp could not extract it; the new one did');
  });
});

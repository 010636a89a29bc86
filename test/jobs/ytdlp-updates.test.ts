/**
 * The yt-dlp check against stand-in releases on loopback: real downloads, the real yt-dlp (repackaged
 * with newer versions) extracting the stand-in site's canary, a real database and storage.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { loadConfig, type YtdlpUpdateSettings } from '../../src/config.ts';
import { readYtdlpState, type YtdlpState } from '../../src/db/ytdlp-state.ts';
import type { OperatorNotice } from '../../src/jobs/operator-notices.ts';
import { currentYtdlp } from '../../src/jobs/ytdlp-current.ts';
import { checkForUpdate, rollBackYtdlp, type UpdateDeps } from '../../src/jobs/ytdlp-updates.ts';
import { createLogger } from '../../src/log.ts';
import { openStorage } from '../../src/storage.ts';
import { dialects, useDatabase } from '../db/dialects.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { type Releases, startReleases } from '../site/releases.ts';
import { type Site, startSite } from '../site/server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const OLD = '/usr/bin/yt-dlp';

let site: Site;
let releases: Releases;
before(async () => {
  [site, releases] = await Promise.all([startSite(), startReleases()]);
});
after(async () => {
  await Promise.all([site.close(), releases.close()]);
});

/** The settings as YTCONV_YTDLP_* would give them, pointed at the stand-in releases and site. */
function settings(env: NodeJS.ProcessEnv = {}): YtdlpUpdateSettings {
  const { YTCONV_YTDLP: _, ...base } = process.env;
  // The canary works from 2024.01.01 on, but not with the release published as 2024.03.03.
  const canary = `${site.origin}/versioned/watch?v=BasicVid_01&since=2024.01.01&broken=2024.03.03`;
  const given = { ...base, YTCONV_YTDLP_RELEASES: releases.latestUrl, YTCONV_YTDLP_CANARY: canary, ...env };
  return loadConfig(given, ROOT).service.ytdlpUpdates;
}

for (const dialect of dialects()) {
  describe(`the yt-dlp check on ${dialect.name}`, () => {
    const t = useDatabase(dialect);
    let deps: UpdateDeps;
    let switches: YtdlpState[];
    let notices: OperatorNotice[];

    beforeEach(async () => {
      switches = [];
      notices = [];
      deps = {
        db: t.db,
        storage: await openStorage(await tempDir('ytconv-storage-')),
        engine: await testEngine({ pluginDir: site.pluginDir, tools: { ytdlp: OLD } }),
        settings: settings(),
        log: createLogger('worker', 'silent'),
        onSwitched: async (state) => void switches.push(state),
        tellOperator: async (notice) => void notices.push(notice),
      };
    });

    const installed = () => readdir(join(deps.storage.root, 'ytdlp')).catch(() => []);
    const current = () => currentYtdlp({ ...deps, fallback: OLD, managed: true }, 0)();

    it('switches to a newer release that passes the canary, keeping the old one as previous', async () => {
      await releases.publish({ version: '2024.02.02' });
      const result = await checkForUpdate(deps, { scheduled: true });
      assert.equal(result.outcome, 'switched', result.message);
      const state = await readYtdlpState(t.db);
      assert.equal(state.current_version, '2024.02.02');
      assert.equal(state.current_how, 'update');
      assert.equal(state.previous_path, null, 'before it, the configured yt-dlp');
      assert.equal(state.canary_error, null);
      assert.equal(await current(), join(deps.storage.root, 'ytdlp', '2024.02.02', 'yt-dlp'));
      assert.deepEqual(await installed(), ['2024.02.02']);
      assert.deepEqual(
        switches.map((s) => s.current_version),
        ['2024.02.02'],
        'the hook for parked jobs ran once',
      );
      assert.ok(
        site.requests.some((r) => r.path === '/api/videos/BasicVid_01?yt_dlp=2024.02.02'),
        'the canary ran it',
      );

      const again = await checkForUpdate(deps, { scheduled: false });
      assert.equal(again.outcome, 'up_to_date', again.message);
    });

    it('keeps the current yt-dlp when the new one fails the canary, and records why', async () => {
      await releases.publish({ version: '2024.02.02' });
      await checkForUpdate(deps, { scheduled: false });
      await releases.publish({ version: '2024.03.03' });
      const result = await checkForUpdate(deps, { scheduled: false });
      assert.equal(result.outcome, 'canary_failed', result.message);
      const state = await readYtdlpState(t.db);
      assert.equal(state.current_version, '2024.02.02');
      assert.equal(state.check_outcome, 'canary_failed');
      assert.equal(state.canary_version, '2024.03.03');
      assert.ok(state.canary_error !== null && state.canary_message !== null);
      assert.doesNotMatch(state.canary_message, /report|github/i, 'in our words, not yt-dlp’s');
      assert.deepEqual(await installed(), ['2024.02.02'], 'the failed one is not kept');
      assert.equal(switches.length, 1);
      // The operator is told of this one check (the switch before it was no trouble).
      assert.deepEqual(
        notices.map(({ at: _, ...notice }) => notice),
        [{ event: 'canary_failed', version: '2024.03.03', code: state.canary_error, message: result.message }],
      );
    });

    it('refuses a download whose checksum does not match, leaving no file behind', async () => {
      await releases.publish({ version: '2024.04.04', badChecksum: true });
      const downloads = releases.downloads;
      const result = await checkForUpdate(deps, { scheduled: false });
      assert.equal(result.outcome, 'checksum_mismatch', result.message);
      assert.equal(releases.downloads, downloads + 1);
      assert.deepEqual(await installed(), []);
      assert.equal((await readYtdlpState(t.db)).current_version, null);
      assert.equal(await current(), OLD);
    });

    it('rolls back to the previous version, and later checks do not switch back to the one left', async () => {
      await releases.publish({ version: '2024.02.02' });
      await checkForUpdate(deps, { scheduled: false });
      await releases.publish({ version: '2024.05.05' });
      assert.equal((await checkForUpdate(deps, { scheduled: false })).outcome, 'switched');
      const rolled = await rollBackYtdlp(deps);
      assert.equal(rolled?.current_version, '2024.02.02');
      assert.equal(rolled?.current_how, 'rollback');
      assert.equal(await current(), join(deps.storage.root, 'ytdlp', '2024.02.02', 'yt-dlp'));
      assert.deepEqual(
        switches.map((s) => s.current_version),
        ['2024.02.02', '2024.05.05', '2024.02.02'],
      );
      assert.equal((await checkForUpdate(deps, { scheduled: false })).outcome, 'refused');
      assert.equal((await readYtdlpState(t.db)).current_version, '2024.02.02');
    });

    it('has nothing to roll back to before a second version', async () => {
      assert.equal(await rollBackYtdlp(deps), null);
    });

    it('does nothing when off, or when pinned to the version in use', async () => {
      await releases.publish({ version: '2024.02.02' });
      const off = await checkForUpdate(
        { ...deps, settings: settings({ YTCONV_YTDLP_UPDATES: 'off' }) },
        { scheduled: false },
      );
      assert.equal(off.outcome, 'off');
      assert.equal((await readYtdlpState(t.db)).checked_at, null);

      const pinned = { ...deps, settings: settings({ YTCONV_YTDLP_PIN: '2024.02.02' }) };
      assert.equal((await checkForUpdate(pinned, { scheduled: false })).outcome, 'switched', 'the pinned release');
      await releases.publish({ version: '2024.05.05' });
      const downloads = releases.downloads;
      assert.equal((await checkForUpdate(pinned, { scheduled: false })).outcome, 'pinned');
      assert.equal(releases.downloads, downloads);
      assert.equal((await readYtdlpState(t.db)).current_version, '2024.02.02');
    });

    it('runs one check at a time when two overlap', async () => {
      await releases.publish({ version: '2024.02.02' });
      const outcomes = await Promise.all([1, 2].map(() => checkForUpdate(deps, { scheduled: false })));
      assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['busy', 'switched']);
      assert.equal(switches.length, 1);
    });

    it('leaves a scheduled check alone when yt-dlp was checked within the day', async () => {
      await releases.publish({ version: '2024.02.02' });
      await checkForUpdate(deps, { scheduled: false });
      await releases.publish({ version: '2024.05.05' });
      assert.equal((await checkForUpdate(deps, { scheduled: true })).outcome, 'recent');
      assert.equal(existsSync(join(deps.storage.root, 'ytdlp', '2024.05.05')), false);
    });
  });
}

/** Cancelling ends every child within 2 s and leaves nothing; progress arrives at least once a second. */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { convert } from '../../src/pipeline/convert.ts';
import { parseSource } from '../../src/pipeline/sources.ts';
import type { Engine, Progress } from '../../src/pipeline/types.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { childProcesses, processesMentioning } from '../helpers/procfs.ts';
import { type Site, startSite } from '../site/server.ts';

let site: Site;
before(async () => {
  site = await startSite();
});
after(() => site.close());

/** The slow video (30 s) by one encoder, and split in two segments while it downloads. */
const ENCODES: [string, Engine['parallel']][] = [
  ['one encoder', { cores: () => 1, minDurationSec: 10 }],
  ['two segments', { cores: () => 2, minDurationSec: 10 }],
];

async function engineWith(parallel: Engine['parallel']): Promise<Engine> {
  return { ...(await testEngine({ pluginDir: site.pluginDir })), parallel };
}

describe('cancelling', () => {
  for (const [name, parallel] of ENCODES)
    it(`kills yt-dlp and ffmpeg within 2 s and leaves no file behind (${name})`, async () => {
      const engine = await engineWith(parallel);
      const outDir = await tempDir();
      const controller = new AbortController();
      const events: Progress[] = [];
      let abortedAt = 0;
      const running = convert(
        parseSource(site.watchUrl('slow'), { allowFiles: false }),
        { format: 'mp3', splitChapters: false, normalize: false },
        {
          engine,
          outDir,
          signal: controller.signal,
          onProgress: (p) => {
            events.push(p);
            if (p.phase === 'downloading' && p.fraction !== null && p.fraction > 0.05 && !controller.signal.aborted) {
              abortedAt = Date.now();
              controller.abort();
            }
          },
        },
      );
      const err = await running.then(
        () => assert.fail('should have been cancelled'),
        (e: { code: string }) => e,
      );
      const stoppedIn = Date.now() - abortedAt;
      assert.equal(err.code, 'cancelled');
      // convert() waits for its children before it rejects; check no straggler survives anyway.
      assert.deepEqual(await processesMentioning(engine.tmpDir), []);
      assert.deepEqual(await childProcesses(), []);
      assert.ok(stoppedIn < 2000, `stopped ${stoppedIn} ms after the abort`);
      assert.deepEqual(await readdir(outDir), []);
      assert.deepEqual(await readdir(engine.tmpDir), []);
      assert.ok(events.some((e) => e.phase === 'downloading'));
    });

  it('refuses to start when already cancelled', async () => {
    const engine = await testEngine({ pluginDir: site.pluginDir });
    const err = await convert(
      parseSource(site.watchUrl('plain'), { allowFiles: false }),
      { format: 'mp3', splitChapters: false, normalize: false },
      {
        engine,
        outDir: await tempDir(),
        signal: AbortSignal.abort(),
      },
    ).catch((e: { code: string }) => e);
    assert.equal((err as { code: string }).code, 'cancelled');
  });
});

describe('progress', () => {
  for (const [name, parallel] of ENCODES)
    it(`reports phases in order, one overall fraction that never goes back and ends at 1, and an ETA (${name})`, async () => {
      const engine = await engineWith(parallel);
      const events: (Progress & { at: number })[] = [];
      await convert(
        parseSource(site.watchUrl('slow'), { allowFiles: false }),
        { format: 'mp3', splitChapters: false, normalize: false },
        {
          engine,
          outDir: await tempDir(),
          onProgress: (p) => events.push({ ...p, at: Date.now() }),
        },
      );
      const phases = events.map((e) => e.phase).filter((p, i, all) => p !== all[i - 1]);
      assert.deepEqual(
        phases.filter((p) => p !== 'converting'),
        ['probing', 'downloading', 'tagging'],
      );
      assert.ok(
        events.some((e) => e.phase === 'downloading' && e.eta !== null),
        'an ETA while downloading',
      );
      const fractions = events.map((e) => e.fraction);
      assert.deepEqual(
        fractions,
        [...fractions].sort((a, b) => a - b),
        'the fraction never goes back',
      );
      assert.equal(fractions.at(-1), 1);
      const gaps = events.slice(1).map((e, i) => e.at - (events[i]?.at ?? e.at));
      assert.ok(Math.max(...gaps) <= 1300, `longest gap ${Math.max(...gaps)} ms`);
    });
});

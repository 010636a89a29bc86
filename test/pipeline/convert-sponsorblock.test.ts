/**
 * SponsorBlock through the real parts: yt-dlp asks the stand-in site's SponsorBlock-like API, and
 * the outputs are read back: decoded samples against the source's, chapters with ffprobe.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { convert } from '../../src/pipeline/convert.ts';
import { parseSource } from '../../src/pipeline/sources.ts';
import type { ConvertOptions, Engine } from '../../src/pipeline/types.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { decodePcm, ffprobe } from '../helpers/ffprobe.ts';
import { type Site, startSite } from '../site/server.ts';

let site: Site;
let engine: Engine;

before(async () => {
  site = await startSite();
  engine = await testEngine({ pluginDir: site.pluginDir, env: { YTCONV_SPONSORBLOCK_API: site.origin } });
});
after(() => site.close());

const DEFAULT = ['sponsor', 'selfpromo', 'intro'] as const;

async function run(options: Partial<ConvertOptions>, api = engine.sponsorBlockApi, policy = engine.policy) {
  const outDir = await tempDir();
  const convertOptions = { format: 'flac' as const, splitChapters: false, normalize: false, ...options };
  const source = parseSource(site.watchUrl('sponsored'), { allowFiles: false });
  return convert(source, convertOptions, { engine: { ...engine, sponsorBlockApi: api, policy }, outDir });
}

/** The source's samples (stereo, 48 kHz) in [from, to) seconds. */
function slice(pcm: Int16Array, from = 0, to = 0): Int16Array {
  return pcm.subarray(from * 48_000 * 2, to * 48_000 * 2);
}

/** What the site's SponsorBlock-like API was asked. */
function apiRequests(): string[] {
  return site.requests.map((r) => r.path).filter((path) => path.includes('/api/skipSegments/'));
}

/** Where two decodings first differ (by more than rounding), as a sample index; null when they agree. */
function firstDifference(a: Int16Array, b: Int16Array): number | null {
  const at = a.findIndex((v, i) => Math.abs(v - (b[i] ?? 0)) > 1);
  return at === -1 ? null : at / 2;
}

function chaptersOf(probed: Awaited<ReturnType<typeof ffprobe>>) {
  return probed.chapters.map((c) => [Number(c.start_time), Number(c.end_time), c.tags?.title]);
}

const REMOVED = { action: 'remove', categories: DEFAULT } as const;

describe('SponsorBlock', () => {
  for (const [route, options] of [
    ['streamed', {}],
    ['downloaded', { replaygain: true }],
  ] as const) {
    it(`removes the segments at the API's times, to the sample (${route})`, async () => {
      const { files } = await run({ ...options, sponsorblock: REMOVED });
      const [file] = files;
      assert.ok(file);
      const source = await decodePcm(site.mediaPath('sponsored', '251'));
      const expected = Int16Array.from(
        [
          [1.5, 3.25],
          [5.5, 8],
          [9.25, 12],
        ].flatMap(([a, b]) => [...slice(source, a, b)]),
      );
      const output = await decodePcm(file.path);
      assert.equal(output.length, expected.length);
      assert.equal(firstDifference(output, expected), null);
      assert.deepEqual(file.sponsorblock, {
        action: 'remove',
        segments: [
          { start: 0, end: 1.5, category: 'intro' },
          { start: 3.25, end: 5.5, category: 'sponsor' },
          { start: 8, end: 9.25, category: 'selfpromo' },
        ],
      });
    });
  }

  it('moves the chapters to their times after the cuts', async () => {
    const { files } = await run({ format: 'm4a', sponsorblock: REMOVED });
    const [file] = files;
    assert.ok(file);
    assert.deepEqual(chaptersOf(await ffprobe(file.path)), [
      [0, 1.75, 'Opening'],
      [1.75, 3.25, 'Main Part'],
      [3.25, 7, 'Closing'],
    ]);
  });

  it('splits by chapters, each with its segments cut', async () => {
    const { files } = await run({ format: 'm4a', splitChapters: true, sponsorblock: REMOVED });
    const probed = await Promise.all(files.map((f) => ffprobe(f.path)));
    assert.deepEqual(
      files.map((f) => f.title),
      ['Opening', 'Main Part', 'Closing'],
    );
    // Opening [0, 4) less the intro and the sponsor's start; Main Part [4, 7) less the sponsor's end;
    // Closing [7, 12) less the self-promotion: 1.75, 1.5 and 3.75 s of AAC (within a 1024-sample frame).
    for (const [i, seconds] of [1.75, 1.5, 3.75].entries()) {
      assert.ok(Math.abs(Number(probed[i]?.format.duration) - seconds) < 1024 / 44_100, `file ${i + 1}`);
    }
  });

  it("marks the segments as chapters at the API's times, splitting the chapters around them", async () => {
    const { files } = await run({ format: 'm4a', sponsorblock: { action: 'mark', categories: DEFAULT } });
    const [file] = files;
    assert.ok(file);
    assert.deepEqual(chaptersOf(await ffprobe(file.path)), [
      [0, 1.5, '[SponsorBlock]: Intermission/Intro Animation'],
      [1.5, 3.25, 'Opening'],
      [3.25, 5.5, '[SponsorBlock]: Sponsor'],
      [5.5, 7, 'Main Part'],
      [7, 8, 'Closing'],
      [8, 9.25, '[SponsorBlock]: Unpaid/Self Promotion'],
      [9.25, 12, 'Closing'],
    ]);
    assert.equal(file.sponsorblock && 'segments' in file.sponsorblock && file.sponsorblock.segments.length, 3);
  });

  it('asks the API by hash prefix for the chosen categories only', async () => {
    const before = apiRequests().length;
    const { files } = await run({ sponsorblock: { action: 'remove', categories: ['filler'] } });
    const asked = apiRequests().slice(before);
    assert.equal(asked.length, 1);
    const query = new URL(asked[0] ?? '', site.origin);
    assert.match(query.pathname, /^\/api\/skipSegments\/[0-9a-f]{4}$/);
    assert.deepEqual(JSON.parse(query.searchParams.get('categories') ?? ''), ['filler']);
    assert.ok(!asked[0]?.includes(site.video('sponsored').id), 'the video id never reaches the API');
    const source = await decodePcm(site.mediaPath('sponsored', '251'));
    const output = await decodePcm(files[0]?.path ?? '');
    assert.equal(output.length, source.length - 0.5 * 48_000 * 2);
  });

  for (const [failure, api] of [
    ['is down', () => 'http://127.0.0.1:9'],
    ['answers 500', () => `${site.origin}/faulty-500`],
    ['answers garbage', () => `${site.origin}/faulty-garbage`],
  ] as const) {
    it(`converts without cuts, and says so, when the API ${failure}`, async () => {
      const { files } = await run({ sponsorblock: REMOVED }, api());
      const [file] = files;
      assert.ok(file);
      assert.deepEqual(file.sponsorblock, { action: 'remove', skipped: 'unavailable' });
      const source = await decodePcm(site.mediaPath('sponsored', '251'));
      assert.equal(firstDifference(await decodePcm(file.path), source), null);
    });
  }

  it('cuts nothing when the API knows no segments (404)', async () => {
    const { files } = await run({ sponsorblock: { action: 'remove', categories: ['outro'] } });
    assert.deepEqual(files[0]?.sponsorblock, { action: 'remove', segments: [] });
    assert.equal((await decodePcm(files[0]?.path ?? '')).length, 12 * 48_000 * 2);
  });

  it('asks the API through the address guard: a public one answers, a private one is refused', async () => {
    // 127.0.0.1 (the site, and its API) counts as public here; 127.0.0.2 does not.
    const isForbiddenAddress = (ip: string) => ip !== '127.0.0.1';
    const policy = { ...engine.policy, allowPrivateAddresses: false, isForbiddenAddress };
    const publicApi = await run({ sponsorblock: REMOVED }, site.origin, policy);
    assert.equal(publicApi.files[0]?.sponsorblock && 'segments' in publicApi.files[0].sponsorblock, true);
    const before = apiRequests().length;
    const privateApi = await run({ sponsorblock: REMOVED }, site.origin.replace('127.0.0.1', '127.0.0.2'), policy);
    assert.deepEqual(privateApi.files[0]?.sponsorblock, { action: 'remove', skipped: 'unavailable' });
    assert.equal(apiRequests().length, before, 'the private address was never reached');
  });

  it("does not ask about a video that is not YouTube's", async () => {
    const outDir = await tempDir();
    const options = { format: 'flac', splitChapters: false, normalize: false, sponsorblock: REMOVED } as const;
    const source = parseSource(site.watchUrl('basic'), { allowFiles: false });
    const { files } = await convert(source, options, { engine, outDir });
    // The stand-in's other videos are its own site's, not YouTube's: SponsorBlock is not asked about them.
    assert.deepEqual(files[0]?.sponsorblock, { action: 'remove', skipped: 'unsupported' });
  });
});

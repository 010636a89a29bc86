/** SponsorBlock's pure parts: what yt-dlp is asked, what its answer becomes, the cuts and the chapters. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutGraph, encodeArgs } from '../../src/pipeline/ffmpeg-args.ts';
import { cutOutput, markChapters, parseSegments, sponsorBlockArgs } from '../../src/pipeline/sponsorblock.ts';

const SPONSOR = { start: 3, end: 5, category: 'sponsor' } as const;

describe('asking yt-dlp', () => {
  it('passes only fixed words, the info file and our own category names', () => {
    const args = sponsorBlockArgs(['--no-config'], '/w/i.json', '251', ['sponsor', 'intro'], 'https://sb.example');
    assert.deepEqual(args, [
      '--no-config',
      ...['--load-info-json', '/w/i.json', '-f', 'b*[format_id="251"]'],
      ...['--print', '%(sponsorblock_chapters)j'],
      ...['--sponsorblock-mark', 'sponsor,intro', '--sponsorblock-api', 'https://sb.example'],
    ]);
  });

  it('reads the segments it printed, sorted, and "NA" (a site SponsorBlock does not know) as null', () => {
    const printed = JSON.stringify([
      { start_time: 8, end_time: 9, category: 'selfpromo', title: 'x', type: 'skip' },
      { start_time: 3, end_time: 5, category: 'sponsor', title: 'y', type: 'skip' },
      { start_time: 1, end_time: 2, category: 'poi_highlight', title: 'z', type: 'poi' },
    ]);
    assert.deepEqual(parseSegments(`${printed}\n`, ['sponsor', 'selfpromo']), [
      SPONSOR,
      { start: 8, end: 9, category: 'selfpromo' },
    ]);
    assert.equal(parseSegments('"NA"\n', ['sponsor']), null);
    assert.throws(() => parseSegments('<html>', ['sponsor']));
  });
});

describe('cutting an output', () => {
  it('keeps the trimmed span less the segments, and moves the chapters after each cut', () => {
    const out = {
      span: { start: 2, end: 10 },
      chapters: [
        { start: 0, end: 2, title: 'A' },
        { start: 2, end: 8, title: 'B' },
      ],
    };
    const cut = cutOutput(out, [SPONSOR, { start: 9, end: 12, category: 'outro' }]);
    assert.deepEqual(cut.span, {
      start: 2,
      end: 10,
      keep: [
        { start: 2, end: 3 },
        { start: 5, end: 9 },
      ],
    });
    assert.deepEqual(cut.chapters, [
      { start: 0, end: 1, title: 'A' },
      { start: 1, end: 5, title: 'B' },
    ]);
  });

  it('cuts with atrim per kept stretch, timed by samples, joined before the other filters', () => {
    assert.equal(
      cutGraph([{ start: 0, end: 3 }, { start: 5 }], ['loudnorm']),
      '[0:a:0]asettb=expr=1/sr,asetpts=N,asplit=2[s0][s1];' +
        '[s0]atrim=start=0.000000:end=3.000000,asetpts=PTS-STARTPTS[k0];' +
        '[s1]atrim=start=5.000000,asetpts=PTS-STARTPTS[k1];' +
        '[k0][k1]concat=n=2:v=0:a=1,loudnorm[cut]',
    );
    const args = encodeArgs('pipe:0', 'o.mp3', {
      format: 'mp3',
      copy: false,
      span: { start: 1, keep: [{ start: 1 }] },
      tags: null,
    });
    assert.ok(!args.includes('-ss'), 'no seek: the graph cuts');
    assert.deepEqual(args.slice(args.indexOf('-map'), args.indexOf('-map') + 2), ['-map', '[cut]']);
  });
});

describe('marking', () => {
  it('gives a video without chapters one per stretch between segments, named after it', () => {
    assert.deepEqual(markChapters([], [SPONSOR], 10, 'Talk'), [
      { start: 0, end: 3, title: 'Talk' },
      { start: 3, end: 5, title: '[SponsorBlock]: Sponsor' },
      { start: 5, end: 10, title: 'Talk' },
    ]);
  });

  it('joins overlapping segments into one chapter naming both', () => {
    const both = [SPONSOR, { start: 4, end: 6, category: 'selfpromo' } as const];
    assert.deepEqual(markChapters([{ start: 0, end: 10, title: 'All' }], both, 10, 'Talk'), [
      { start: 0, end: 3, title: 'All' },
      { start: 3, end: 6, title: '[SponsorBlock]: Sponsor, Unpaid/Self Promotion' },
      { start: 6, end: 10, title: 'All' },
    ]);
  });
});

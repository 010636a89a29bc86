import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCatalog } from '../../src/options.ts';
import { ORIGINAL_QUALITY } from '../../src/pipeline/options.ts';
import { qualityPlan } from '../../src/web/public/quality-plan.js';

/** The server's own catalog, as the page receives it. */
const spec = (id: string) => {
  const found = formatCatalog().find((f) => f.id === id);
  assert.ok(found, id);
  return found;
};
const plan = (format: string, quality: string, file: { name: string; size: number } | null, duration: number | null) =>
  qualityPlan({ spec: spec(format), quality, keepQuality: ORIGINAL_QUALITY, file, duration });

describe('the sentence saying what the chosen quality will do', () => {
  it('for a link, keeps the source’s audio when it fits, else names what it encodes at', () => {
    assert.equal(
      plan('mp3', ORIGINAL_QUALITY, null, null),
      'No re-encode when the source’s audio already is MP3 (no quality lost); otherwise encoded at 192 kbps.',
    );
    assert.equal(
      plan('flac', ORIGINAL_QUALITY, null, null),
      'No re-encode when the source’s audio already is FLAC (no quality lost); otherwise converted.',
    );
  });

  it('for a chosen bitrate, names it by its label and, with a file’s duration, the size to expect', () => {
    assert.equal(plan('mp3', '320k', null, null), 'Encodes to MP3 at 320 kbps.');
    assert.equal(
      plan('mp3', '320k', { name: 'talk.wav', size: 50e6 }, 100),
      'Encodes to MP3 at 320 kbps. About 3.8 MB.',
    );
  });

  it('for a file whose audio the format keeps, gives the file’s own size', () => {
    assert.equal(
      plan('m4a', ORIGINAL_QUALITY, { name: 'Song.AAC', size: 5_300_000 }, 200),
      'No re-encode: your .aac file’s audio is most likely kept as it is (about 5.1 MB).',
    );
  });

  it('for a file the format can’t keep, says what it is converted at and the size at that bitrate', () => {
    assert.equal(
      plan('opus', ORIGINAL_QUALITY, { name: 'clip.mkv', size: 80e6 }, 60),
      'Converted to Opus at 128 kbps. About 938 KB.',
    );
    assert.equal(plan('wav', ORIGINAL_QUALITY, { name: 'clip.mkv', size: 80e6 }, null), 'Converted to WAV.');
  });
});

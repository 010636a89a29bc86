import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes } from '../../src/web/public/bytes.js';
import {
  formatAgo,
  formatAudio,
  formatDuration,
  formatEta,
  itemsOfPositions,
  shortUrl,
  siteName,
  trimLabel,
  trimValue,
} from '../../src/web/public/format.js';

describe('the page’s formatting', () => {
  it('writes ticked playlist positions as a job’s items, runs collapsed, and all of them as none', () => {
    assert.equal(itemsOfPositions([1, 2, 3, 7], 9), '1-3,7');
    assert.equal(itemsOfPositions([2, 4, 5], 5), '2,4-5');
    assert.equal(itemsOfPositions([3], 3), '3');
    assert.equal(itemsOfPositions([1, 2, 3], 3), '');
  });

  it('writes durations as m:ss, with hours only when there are some', () => {
    assert.equal(formatDuration(0), '0:00');
    assert.equal(formatDuration(215), '3:35');
    assert.equal(formatDuration(3725), '1:02:05');
    assert.equal(formatDuration(59.6), '1:00');
    assert.equal(formatDuration(-5), '0:00');
  });

  it('writes sizes in units of 1024 bytes, as the server states its limits (one decimal below 10)', () => {
    assert.equal(formatBytes(900), '900 bytes');
    assert.equal(formatBytes(256 * 1024), '256 KB');
    assert.equal(formatBytes(4.2 * 1024 ** 2), '4.2 MB');
    assert.equal(formatBytes(35.4 * 1024 ** 2), '35 MB');
    assert.equal(formatBytes(1.25 * 1024 ** 3), '1.3 GB');
  });

  it('words the time left coarser as it grows', () => {
    assert.equal(formatEta(0.2), 'about 1 s left');
    assert.equal(formatEta(42), 'about 42 s left');
    assert.equal(formatEta(125), 'about 2 min 05 s left');
    assert.equal(formatEta(1500), 'about 25 min left');
    assert.equal(formatEta(4500), 'about 1 h 15 min left');
  });

  it('names a file’s audio with its measured bitrate when there is one', () => {
    assert.equal(formatAudio('mp3', 192_400), 'MP3 · 192 kbps');
    assert.equal(formatAudio('flac', 0), 'FLAC');
  });

  it('says how long ago, and nothing for a date it cannot read', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    assert.equal(formatAgo('2026-12-02T11:59:30Z', now), 'just now');
    assert.match(formatAgo('2026-12-02T11:55:00Z', now), /5 minutes ago/);
    assert.match(formatAgo('2026-12-02T09:00:00Z', now), /3 hours ago/);
    assert.equal(formatAgo('not a date', now), '');
  });

  it('shortens links and names their site', () => {
    assert.equal(shortUrl('https://www.youtube.com/watch?v=ID'), 'youtube.com/watch?v=ID');
    assert.equal(shortUrl('http://example.com/a'), 'example.com/a');
    assert.equal(siteName('youtube:tab'), 'YouTube');
    assert.equal(siteName('vimeo'), 'Vimeo');
    assert.equal(siteName('soundcloud:set'), 'Soundcloud');
    assert.equal(siteName('generic'), 'Source');
    assert.equal(siteName(null), 'Source');
  });

  it('writes a trim as a range and a trim value as the form takes it', () => {
    assert.equal(trimLabel({ start: 90, end: null }), 'Trim 1:30–end');
    assert.equal(trimLabel({ start: null, end: 30 }), 'Trim 0:00–0:30');
    assert.equal(trimValue(90), '1:30');
    assert.equal(trimValue(1.5), '1.5');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { albumStem, m3u8 } from '../../src/pipeline/m3u8.ts';

describe('m3u8', () => {
  it('lists each track with its length, artist and title, then its relative path', () => {
    const text = m3u8([
      { path: '01 - Sine Song.mp3', duration: 12.4, title: 'Sine Song', artist: 'Test Artist' },
      { path: '03 - Café.mp3', duration: 5, title: 'Café\nnewline', artist: null },
    ]);
    assert.equal(
      text,
      '#EXTM3U\n#EXTINF:12,Test Artist - Sine Song\n01 - Sine Song.mp3\n#EXTINF:5,Café newline\n03 - Café.mp3\n',
    );
  });

  it('names the album like a file, never a path', () => {
    assert.equal(albumStem('Songs "Quoted" / Live'), 'Songs "Quoted" Live');
    assert.equal(albumStem('..'), 'Playlist');
  });
});

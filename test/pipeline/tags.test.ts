import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chaptersWithin, ffmetadata, isoDate, splitArtistTitle, tagsFor } from '../../src/pipeline/tags.ts';

const facts = {
  title: 'Some Band - Great Song (Official Video)',
  uploader: 'Some Band - Topic',
  artist: null,
  track: null,
  album: null,
  date: '2024-01-31',
  url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
};

describe('tagsFor', () => {
  it('takes artist and title from an "Artist - Title" title', () => {
    const tags = tagsFor(facts);
    assert.equal(tags.artist, 'Some Band');
    assert.equal(tags.title, 'Great Song (Official Video)');
    assert.equal(tags.comment, facts.url);
    assert.equal(tags.date, '2024-01-31');
    assert.equal(tags.album, undefined);
  });

  it('prefers the artist and track the site gives', () => {
    const tags = tagsFor({ ...facts, artist: 'Real Artist', track: 'Real Track', album: 'Real Album' });
    assert.deepEqual([tags.artist, tags.title, tags.album], ['Real Artist', 'Real Track', 'Real Album']);
  });

  it('falls back to the uploader without YouTube\'s " - Topic"', () => {
    assert.equal(tagsFor({ ...facts, title: 'No Separator Here' }).artist, 'Some Band');
  });

  it('numbers playlist entries and uses the playlist as album', () => {
    const tags = tagsFor({ ...facts, album: 'Own Album' }, { album: 'My Mix', index: 2, count: 9 });
    assert.equal(tags.album, 'My Mix');
    assert.deepEqual(tags.track, { index: 2, count: 9 });
  });
});

describe('splitArtistTitle', () => {
  it('splits on a spaced hyphen or dash only', () => {
    assert.deepEqual(splitArtistTitle('A – B'), { artist: 'A', title: 'B' });
    assert.equal(splitArtistTitle('Jay-Z Live'), null);
  });
});

describe('isoDate', () => {
  it('turns YYYYMMDD into YYYY-MM-DD and refuses anything else', () => {
    assert.equal(isoDate('20240131'), '2024-01-31');
    assert.equal(isoDate('2024'), null);
    assert.equal(isoDate(undefined), null);
  });
});

describe('ffmetadata', () => {
  it('escapes reserved characters and writes chapters in milliseconds', () => {
    const text = ffmetadata({ title: 'a=b;c#d\\e\nf', track: { index: 1, count: 2 } }, [
      { start: 0, end: 4.5, title: 'One' },
      { start: 4.5, end: 12, title: 'Two' },
    ]);
    assert.ok(text.startsWith(';FFMETADATA1\n'));
    assert.ok(text.includes('title=a\\=b\\;c\\#d\\\\e\\\nf\n'));
    assert.ok(text.includes('track=1/2\n'));
    assert.ok(text.includes('[CHAPTER]\nTIMEBASE=1/1000\nSTART=4500\nEND=12000\ntitle=Two\n'));
  });
});

describe('chaptersWithin', () => {
  it('keeps the chapters overlapping a trim span, shifted to start at zero', () => {
    const chapters = [
      { start: 0, end: 4, title: 'A' },
      { start: 4, end: 8, title: 'B' },
      { start: 8, end: 12, title: 'C' },
    ];
    assert.deepEqual(chaptersWithin(chapters, 5, 9), [
      { title: 'B', start: 0, end: 3 },
      { title: 'C', start: 3, end: 4 },
    ]);
  });
});

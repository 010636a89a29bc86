import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { multiValue } from '../../src/pipeline/multi-values.ts';
import {
  chaptersWithin,
  ffmetadata,
  isoDate,
  listedArtist,
  playlistAlbumArtist,
  splitArtistTitle,
  tagsFor,
  topicArtist,
} from '../../src/pipeline/tags.ts';

const facts = {
  title: 'Some Band - Great Song (Official Video)',
  uploader: 'Some Channel',
  artists: [],
  track: null,
  album: null,
  date: '2024-01-31',
  url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
};

describe('tagsFor', () => {
  it('takes artist and title from an "Artist - Title" title', () => {
    const tags = tagsFor(facts);
    assert.deepEqual(tags.artists, ['Some Band']);
    assert.equal(tags.title, 'Great Song (Official Video)');
    assert.equal(tags.comment, facts.url);
    assert.equal(tags.date, '2024-01-31');
    assert.equal(tags.album, undefined);
    assert.equal(tags.albumArtist, undefined);
  });

  it('prefers the artists and track the site gives, and names them album artist of its album', () => {
    const tags = tagsFor({ ...facts, artists: ['One', 'Two'], track: 'Real Track', album: 'Real Album' });
    assert.deepEqual([tags.artists, tags.title, tags.album], [['One', 'Two'], 'Real Track', 'Real Album']);
    assert.equal(tags.albumArtist, 'One, Two');
  });

  it('falls back to the channel', () => {
    assert.deepEqual(tagsFor({ ...facts, title: 'No Separator Here' }).artists, ['Some Channel']);
  });

  it('takes a " - Topic" channel as the artist and keeps the whole title as the track', () => {
    const tags = tagsFor({ ...facts, title: 'Song - 2011 Remaster', uploader: 'Some Band - Topic' });
    assert.deepEqual([tags.artists, tags.title], [['Some Band'], 'Song - 2011 Remaster']);
  });

  it('numbers playlist entries (disc 1 of 1) and uses the playlist as album, with its album artist', () => {
    const group = { album: 'My Mix', albumArtist: 'Various Artists', index: 2, count: 9 };
    const tags = tagsFor({ ...facts, album: 'Own Album' }, group);
    assert.equal(tags.album, 'My Mix');
    assert.equal(tags.albumArtist, 'Various Artists');
    assert.deepEqual(
      [tags.track, tags.disc],
      [
        { index: 2, count: 9 },
        { index: 1, count: 1 },
      ],
    );
  });
});

describe('playlistAlbumArtist', () => {
  it('is the one artist of every listed entry, else "Various Artists"', () => {
    const listed = (title: string, uploader: string | null) => listedArtist({ title, uploader });
    assert.equal(playlistAlbumArtist([listed('A - One', null), listed('Two', 'A - Topic'), listed('?', null)]), 'A');
    assert.equal(playlistAlbumArtist([listed('A - One', null), listed('B - Two', null)]), 'Various Artists');
    assert.equal(playlistAlbumArtist([]), null);
  });
});

describe('splitArtistTitle', () => {
  it('splits on a spaced hyphen or dash only', () => {
    assert.deepEqual(splitArtistTitle('A – B'), { artist: 'A', title: 'B' });
    assert.equal(splitArtistTitle('Jay-Z Live'), null);
  });
});

describe('topicArtist', () => {
  it('reads only "Artist - Topic" channels', () => {
    assert.equal(topicArtist('Some Band - Topic'), 'Some Band');
    assert.equal(topicArtist('Topic'), null);
    assert.equal(topicArtist('Some Band'), null);
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
    const text = ffmetadata(
      { title: 'a=b;c#d\\e\nf', artists: [], track: { index: 1, count: 2 } },
      [
        { start: 0, end: 4.5, title: 'One' },
        { start: 4.5, end: 12, title: 'Two' },
      ],
      'mp3',
    );
    assert.ok(text.startsWith(';FFMETADATA1\n'));
    assert.ok(text.includes('title=a\\=b\\;c\\#d\\\\e\\\nf\n'));
    assert.ok(text.includes('track=1/2\n'));
    assert.ok(!text.includes('artist='));
    assert.ok(text.includes('[CHAPTER]\nTIMEBASE=1/1000\nSTART=4500\nEND=12000\ntitle=Two\n'));
  });
});

describe('multiValue', () => {
  it('joins with ", " where the format holds one value, and keeps no control character of a name', () => {
    assert.equal(multiValue('m4a', ['A', 'B\x1f']), 'A, B');
    assert.equal(multiValue('wav', []), undefined);
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

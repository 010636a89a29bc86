import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlaylistEntries } from '../../src/jobs/entries.ts';

const entries = [
  { title: 'One', url: 'https://v/1' },
  { title: 'Two', url: 'https://v/2' },
  { title: 'Three', url: 'https://v/3' },
];

describe('PlaylistEntries', () => {
  it('marks earlier entries done and the current one running with its progress', () => {
    const list = new PlaylistEntries();
    list.start(entries);
    list.follow({ phase: 'downloading', fraction: 0.5, eta: 3, item: { index: 1, count: 3 } });
    assert.deepEqual(
      list.snapshot()?.map((e) => [e.status, e.progress]),
      [
        ['running', 0.5],
        ['queued', null],
        ['queued', null],
      ],
    );
    list.follow({ phase: 'probing', fraction: null, eta: null, item: { index: 2, count: 3 } });
    assert.deepEqual(
      list.snapshot()?.map((e) => e.status),
      ['done', 'running', 'queued'],
    );
  });

  it('ends with skipped entries failed and their reasons, all others done', () => {
    const list = new PlaylistEntries();
    list.start(entries);
    const error = { code: 'unavailable' as const, message: 'Private video.' };
    const final = list.finish([{ title: 'Two', url: 'https://v/2', error }]);
    assert.deepEqual(
      final?.map((e) => [e.status, e.error]),
      [
        ['done', null],
        ['failed', error],
        ['done', null],
      ],
    );
  });

  it('stays empty for jobs that are not playlists', () => {
    const list = new PlaylistEntries();
    list.follow({ phase: 'downloading', fraction: 0.1, eta: null });
    assert.equal(list.finish([]), null);
  });
});

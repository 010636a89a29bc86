import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobView } from '../../src/jobs/types.ts';
import { recentJobs } from '../../src/web/public/recent.js';
import { readPrefs, writePrefs } from '../../src/web/public/storage.js';
import { jobView } from '../helpers/views.ts';

/** A Storage stand-in; `full` makes every write throw, as a full or blocked localStorage does. */
function memoryStore(full = false) {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => {
      if (full) throw new Error('QuotaExceededError');
      items.set(key, value);
    },
    removeItem: (key: string) => void items.delete(key),
  };
}

/** A job with its own id and link, as the list keeps them apart by id. */
const job = (id: string, changes: Partial<JobView> = {}) =>
  jobView({ id, source: { site: 'youtube', id, url: `https://youtu.be/${id}` }, ...changes });

describe('the recent jobs of this browser', () => {
  it('lists jobs newest first, once each, as a summary', () => {
    const recent = recentJobs(memoryStore());
    recent.add(job('a'));
    recent.add(job('b'));
    recent.add(job('a', { title: 'A again' }));
    assert.deepEqual(
      recent.list().map((item) => [item.id, item.title]),
      [
        ['a', 'A again'],
        ['b', null],
      ],
    );
    assert.deepEqual(recent.list()[1], {
      id: 'b',
      title: null,
      source: 'https://youtu.be/b',
      format: 'mp3',
      status: 'queued',
      expired: false,
      expires_at: null,
      created_at: new Date(0).toISOString(),
    });
  });

  it('keeps the newest twenty', () => {
    const recent = recentJobs(memoryStore());
    for (let i = 0; i < 25; i += 1) recent.add(job(`j${i}`));
    assert.equal(recent.list().length, 20);
    assert.equal(recent.list()[0]?.id, 'j24');
  });

  it('updates a listed job, writes only when something shown changed, and leaves out jobs it never listed', () => {
    const store = memoryStore();
    const recent = recentJobs(store);
    recent.add(job('a'));
    recent.update(job('a', { status: 'done', title: 'Song' }));
    assert.deepEqual(
      recent.list().map((item) => [item.status, item.title]),
      [['done', 'Song']],
    );
    const written = store.items.get('ytconv.recent.v1');
    store.setItem = () => assert.fail('rewrote an unchanged list');
    recent.update(job('a', { status: 'done', title: 'Song', progress: 1 }));
    recent.update(job('elsewhere', { status: 'done' }));
    assert.equal(store.items.get('ytconv.recent.v1'), written);
  });

  it('removes one job, or all of them', () => {
    const recent = recentJobs(memoryStore());
    recent.add(job('a'));
    recent.add(job('b'));
    recent.remove('a');
    assert.deepEqual(
      recent.list().map((item) => item.id),
      ['b'],
    );
    recent.clear();
    assert.deepEqual(recent.list(), []);
  });

  it('ignores what it can’t read, and keeps working when nothing can be stored', () => {
    const store = memoryStore();
    store.items.set('ytconv.recent.v1', '{not json');
    assert.deepEqual(recentJobs(store).list(), []);
    store.items.set('ytconv.recent.v1', JSON.stringify([{ id: 'ok' }, { id: 7 }, null, 'x']));
    assert.deepEqual(recentJobs(store).list(), [{ id: 'ok' }]);
    const full = recentJobs(memoryStore(true));
    full.add(job('a'));
    assert.deepEqual(full.list(), []);
  });

  it('remembers the last format and quality chosen', () => {
    const store = memoryStore();
    assert.deepEqual(readPrefs(store), {});
    writePrefs({ format: 'opus', quality: '96k' }, store);
    assert.deepEqual(readPrefs(store), { format: 'opus', quality: '96k' });
  });
});

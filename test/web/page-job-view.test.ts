import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entriesCount } from '../../src/web/public/entries.js';
import { phaseLabel } from '../../src/web/public/progress.js';
import { convertAgainHref } from '../../src/web/public/result.js';
import { displayStatus } from '../../src/web/public/status.js';
import { jobView } from '../helpers/views.ts';

const { options } = jobView();
const link = { site: 'youtube', id: 'v', url: 'https://youtu.be/v' };

describe('what the job page says about a job', () => {
  it('reads a done job whose files are gone, or due to be, as expired', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    assert.equal(displayStatus({ status: 'done', expired: true, expires_at: null }, now), 'expired');
    assert.equal(displayStatus({ status: 'done', expired: false, expires_at: '2026-12-02T11:00:00Z' }, now), 'expired');
    assert.equal(displayStatus({ status: 'done', expired: false, expires_at: '2026-12-02T13:00:00Z' }, now), 'done');
    assert.equal(displayStatus({ status: 'failed', expired: true, expires_at: null }, now), 'failed');
  });

  it('names the phase, an upload’s reading of its file, and a playlist’s position', () => {
    assert.equal(phaseLabel({ status: 'queued', phase: null, source: link }), 'Waiting for a free worker');
    assert.equal(phaseLabel({ status: 'running', phase: null, source: link }), 'Starting');
    assert.equal(phaseLabel({ status: 'running', phase: 'probing', source: link }), 'Reading video info');
    const upload = { site: 'upload', id: null, url: 'song.flac' };
    assert.equal(phaseLabel({ status: 'running', phase: 'probing', source: upload }), 'Reading file info');
    const entry = { title: null, position: 1, progress: null, error: null, files: [] };
    const entries = [
      { ...entry, status: 'done' as const },
      { ...entry, status: 'running' as const },
      { ...entry, status: 'queued' as const },
    ];
    assert.equal(phaseLabel({ status: 'running', phase: 'converting', source: link, entries }), 'Converting · 2 of 3');
    assert.equal(
      phaseLabel({ status: 'running', phase: 'resuming', source: link, entries }),
      'Resuming after an interruption',
    );
  });

  it('counts a playlist’s outcomes', () => {
    const statuses = ['done', 'failed', 'cancelled', 'skipped', 'skipped', 'running'] as const;
    assert.equal(
      entriesCount(statuses.map((status) => ({ status }))),
      '1 of 6 done · 1 failed · 1 cancelled · 2 skipped',
    );
    assert.equal(entriesCount([{ status: 'queued' }]), '0 of 1 done');
  });

  it('links back to the form with the job’s link and options; an upload’s file must be chosen again', () => {
    assert.equal(
      convertAgainHref({ source: link, options }),
      '/?url=https%3A%2F%2Fyoutu.be%2Fv&format=mp3&quality=original',
    );
    const trimmed = { ...options, start: 90, end: 100.5, split_chapters: true, normalize: true };
    assert.equal(
      convertAgainHref({ source: { site: 'upload', id: null, url: 'a.wav' }, options: trimmed }),
      '/?format=mp3&quality=original&start=1%3A30&end=100.5&split_chapters=1&normalize=1',
    );
  });
});

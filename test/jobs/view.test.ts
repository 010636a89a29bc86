/** What a requester sees of a playlist's entries and files, whatever ended their job. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from '../../src/db/jobs.ts';
import type { FileRow } from '../../src/db/tables/conversion-files.ts';
import type { EntryState } from '../../src/db/tables/conversions.ts';
import { toView } from '../../src/jobs/view.ts';
import { conversionInput, fileInput, HOUR, T0 } from '../db/fixtures.ts';

const entry = (status: EntryState['status'], finished_at: number | null = null): EntryState => ({
  title: `Entry ${status}`,
  status,
  error: status === 'failed' ? { code: 'unavailable', message: 'Private video.' } : null,
  finished_at,
});

function playlistJob(entries: EntryState[], fields: Partial<Job['conversion']> = {}, cancelledAt?: number): Job {
  const { options, ...input } = conversionInput();
  const conversion: Job['conversion'] = {
    ...input,
    source_site: input.source_site ?? null,
    source_id: input.source_id ?? null,
    options_key: input.options_key ?? null,
    title: 'A playlist',
    options,
    id: 'work',
    status: 'running',
    phase: 'downloading',
    progress: 0.5,
    eta: 3,
    duration: null,
    thumbnail: null,
    cover: null,
    error_code: null,
    error_message: null,
    park_cause: null,
    park_until: null,
    parks: 0,
    attempts: 1,
    take_token: 't',
    active_jobs: 1,
    entries,
    created_at: T0,
    updated_at: T0,
    started_at: T0,
    finished_at: null,
    expires_at: null,
    ...fields,
  };
  const row = {
    id: 'job',
    conversion_id: 'work',
    email: null,
    email_error: null,
    webhook_url: null,
    webhook_error: null,
    created_at: T0,
  };
  return { ...row, cancelled_at: cancelledAt ?? null, conversion };
}

const whole = { truncated_at: null, truncated_of: null, title: null, artist: null, unsplit: 0, sponsorblock: null };
const files: FileRow[] = [
  { ...fileInput('01 - One.mp3'), ...whole, id: 1, conversion_id: 'work', position: 0, entry: 0 },
  { ...fileInput('03 - Three.mp3'), ...whole, id: 2, conversion_id: 'work', position: 1, entry: 2 },
];

describe('a playlist job as its requester sees it', () => {
  it('lists each entry with its own status and progress, and the finished ones’ files while the rest runs', () => {
    // Two entries over and the third halfway: the playlist as a whole is 2.5 / 3 done.
    const entries = [entry('done', T0 + 1), entry('failed', T0 + 2), entry('running')];
    const view = toView(playlistJob(entries, { progress: 2.5 / 3 }), files, T0);
    assert.equal(view.progress, 2.5 / 3);
    assert.deepEqual(
      view.entries?.map((e) => [e.status, e.progress, e.error?.code ?? null, e.files.map((f) => f.name)]),
      [
        ['done', 1, null, ['01 - One.mp3']],
        ['failed', null, 'unavailable', []],
        ['running', 0.5, null, []],
      ],
    );
    assert.deepEqual(
      view.files.map((f) => f.name),
      ['01 - One.mp3'],
    );
  });

  it('keeps the entries done before a cancel, and shows the one under way cancelled, the rest skipped', () => {
    const cancelled = { status: 'cancelled' as const, expires_at: T0 + HOUR };
    const job = playlistJob([entry('done', T0 + 1), entry('running'), entry('queued')], cancelled, T0 + 5);
    const view = toView(job, files, T0 + 10);
    assert.equal(view.status, 'cancelled');
    assert.deepEqual(
      view.entries?.map((e) => e.status),
      ['done', 'cancelled', 'skipped'],
    );
    assert.deepEqual(
      view.files.map((f) => f.name),
      ['01 - One.mp3'],
    );
    assert.equal(view.expires_at, new Date(T0 + HOUR).toISOString());
    assert.equal(toView(job, files, T0 + HOUR).expired, true, 'then they expire like any files');
  });

  it('gives a requester who cancelled nothing the shared work finished after they left', () => {
    const job = playlistJob([entry('done', T0 + 1), entry('failed', T0 + 2), entry('done', T0 + 9)], {}, T0 + 5);
    const view = toView(job, files, T0 + 10);
    // The third was under way when they left: for them it was cancelled.
    assert.deepEqual(
      view.entries?.map((e) => e.status),
      ['done', 'failed', 'cancelled'],
    );
    assert.deepEqual(
      view.files.map((f) => f.name),
      ['01 - One.mp3'],
    );
  });

  it('shows its cover while it runs, and after it ended only as long as it shows files', () => {
    const cover = { cover: 'jobs/work/t/cover.jpg' };
    const url = (job: Job, now = T0 + 10) => toView(job, files, now).cover;
    const shown = url(playlistJob([entry('done', T0 + 1), entry('running')], cover));
    assert.match(shown ?? '', /^\/api\/jobs\/job\/cover\/[\w-]{16}$/, 'running');
    const cancelled = { ...cover, status: 'cancelled' as const, expires_at: T0 + HOUR };
    const kept = playlistJob([entry('done', T0 + 1), entry('running')], cancelled, T0 + 5);
    assert.equal(url(kept), shown, 'a cancelled playlist that kept a finished entry');
    assert.equal(url(kept, T0 + HOUR), null, 'until its files expire');
    const failed = { ...cover, status: 'failed' as const, expires_at: T0 + HOUR };
    assert.equal(url(playlistJob([entry('done', T0 + 1), entry('failed', T0 + 2)], failed)), shown, 'a failed one');
    assert.equal(url(playlistJob([entry('running'), entry('queued')], cancelled, T0 + 5)), null, 'none finished');
    assert.equal(url(playlistJob([entry('done', T0 + 9)], {}, T0 + 5)), null, 'finished after they cancelled');
  });
});

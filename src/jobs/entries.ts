/** A playlist job's per-entry state, followed from the pipeline's progress (pure, no I/O). */
import type { EntryState } from '../db/tables/conversions.ts';
import type { Skipped } from '../pipeline/convert.ts';
import type { Progress } from '../pipeline/types.ts';

export class PlaylistEntries {
  #list: EntryState[] | null = null;

  /** The playlist's entries became known (before any is converted). */
  start(entries: readonly { title: string | null; url: string }[]): void {
    this.#list = entries.map((e) => ({ title: e.title, url: e.url, status: 'queued', progress: null, error: null }));
  }

  /** Entries before the one being worked on are finished; the current one runs. */
  follow(p: Progress): void {
    if (!this.#list || !p.item) return;
    const current = p.item.index - 1;
    for (const [i, entry] of this.#list.entries()) {
      if (i < current && entry.status === 'running') entry.status = 'done';
      if (i < current && entry.status === 'done') entry.progress = 1;
    }
    const entry = this.#list[current];
    if (entry) Object.assign(entry, { status: 'running', progress: p.fraction });
  }

  /** The final state: skipped entries failed with their reason, all others done. */
  finish(skipped: readonly Skipped[]): EntryState[] | null {
    if (!this.#list) return null;
    for (const entry of this.#list) {
      const failure = skipped.find((s) => s.url === entry.url);
      Object.assign(
        entry,
        failure ? { status: 'failed', progress: null, error: failure.error } : { status: 'done', progress: 1 },
      );
    }
    return this.snapshot();
  }

  snapshot(): EntryState[] | null {
    return this.#list?.map((e) => ({ ...e })) ?? null;
  }
}

/**
 * A take's record of a playlist's entries: the pipeline's reports turned into the stored states,
 * written one report at a time, in order, each fenced by the take's token like every worker write.
 */
import type { Kysely } from 'kysely';
import { type FileInput, recordEntry, startEntries } from '../db/conversion-state.ts';
import type { Database } from '../db/database.ts';
import type { EntryState } from '../db/tables/conversions.ts';
import type { EntryReport } from '../pipeline/convert.ts';
import type { OutputFile } from '../pipeline/types.ts';

export interface EntryWriterDeps {
  db: Kysely<Database>;
  conversionId: string;
  token: string;
  /** A produced file as a row (its path made relative to storage). */
  toRow(file: OutputFile): Omit<FileInput, 'entry'>;
  /** A write went through: tell the pages. */
  written(): void;
  /** A write was refused: the conversion is not this take's any more. */
  lost(): void;
}

export class EntryWriter {
  readonly #deps: EntryWriterDeps;
  #list: EntryState[] = [];
  /** Stored paths of the files entries made, and of those whose rows are written. */
  readonly #entryOf = new Map<string, number>();
  readonly #recorded = new Set<string>();
  #chain: Promise<void> = Promise.resolve();

  constructor(deps: EntryWriterDeps) {
    this.#deps = deps;
  }

  /** The playlist's entries became known, titled, before any is converted. */
  start(entries: readonly { title: string | null; position: number }[]): void {
    this.#list = entries.map((e) => ({
      title: e.title,
      position: e.position,
      status: 'queued',
      error: null,
      finished_at: null,
    }));
    const list = this.#list.map((e) => ({ ...e }));
    const { db, conversionId, token } = this.#deps;
    this.#write(() => startEntries(db, conversionId, token, list));
  }

  report(r: EntryReport): void {
    const i = r.index - 1;
    const now = Date.now();
    const ended = r.status !== 'running';
    this.#list[i] = {
      title: r.title ?? this.#list[i]?.title ?? null,
      position: this.#list[i]?.position ?? r.index,
      status: r.status,
      error: 'error' in r ? r.error : null,
      finished_at: ended ? now : null,
    };
    const files = r.status === 'done' ? r.files.map((f) => ({ ...this.#deps.toRow(f), entry: i })) : [];
    for (const f of files) this.#entryOf.set(f.path, i);
    const update = { entries: this.#list.map((e) => ({ ...e })), files };
    const { db, conversionId, token } = this.#deps;
    this.#write(
      () => recordEntry(db, conversionId, token, update, now),
      files.map((f) => f.path),
    );
  }

  /** Once every write is made: the rows of the conversion's files not written yet, in order. */
  async remaining(files: readonly OutputFile[]): Promise<FileInput[]> {
    await this.#chain;
    return files
      .map((f) => this.#deps.toRow(f))
      .filter((row) => !this.#recorded.has(row.path))
      .map((row) => ({ ...row, entry: this.#entryOf.get(row.path) ?? null }));
  }

  #write(write: () => Promise<boolean>, paths: readonly string[] = []): void {
    this.#chain = this.#chain
      .then(write)
      .then((held) => {
        if (!held) return this.#deps.lost();
        for (const path of paths) this.#recorded.add(path);
        this.#deps.written();
      })
      // Best effort, like progress: a busy database must not end the worker. The next write carries
      // every entry's state again, and files left unwritten are written with the conversion's end.
      .catch(() => {});
  }
}

/** Rows for repository tests: plausible work and files, each overridable field by field. */
import type { FileInput } from '../../src/db/conversion-state.ts';
import type { ConversionInput } from '../../src/db/conversions.ts';
import type { JobOptions } from '../../src/options.ts';

export const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

/** A request's options when it sets none but the format: what the API stores for `{url}` alone. */
export const DEFAULT_OPTIONS: JobOptions = {
  format: 'mp3',
  quality: 'original',
  start: null,
  end: null,
  split_chapters: false,
  normalize: false,
  replaygain: false,
  items: null,
  sponsorblock: 'off',
  sponsorblock_categories: [],
};
export const HOUR = 3_600_000;

export function conversionInput(overrides: Partial<ConversionInput> = {}): ConversionInput {
  return {
    source_kind: 'url',
    source_site: 'youtube',
    source_id: 'dQw4w9WgXcQ',
    source_url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
    options: { ...DEFAULT_OPTIONS, quality: '192k', end: 30.5, normalize: true },
    options_key: `key-${Math.random()}`,
    title: null,
    ...overrides,
  };
}

export function fileInput(name: string, overrides: Partial<FileInput> = {}): FileInput {
  return {
    name,
    path: `jobs/x/${name}`,
    size: 3_000_000_000,
    duration: 212.4,
    format: 'mp3',
    bitrate: 192_000,
    ...overrides,
  };
}

import type { Generated, Insertable, Selectable } from 'kysely';
import type { AudioFormat } from '../../pipeline/types.ts';

/** One produced audio file of a conversion, in the order it was made. */
export interface ConversionFilesTable {
  id: Generated<number>;
  conversion_id: string;
  /** The download name shown to people. */
  name: string;
  /** Relative to the storage directory, so storage can move or be mounted elsewhere. */
  path: string;
  /** Bytes. */
  size: number;
  /** Seconds. */
  duration: number;
  format: AudioFormat;
  /** Bits per second. */
  bitrate: number;
  /** 0-based order within the conversion (playlist entry or chapter order). */
  position: number;
  /** Playlists: the 0-based position of the entry the file was made from; null otherwise. */
  entry: number | null;
  /** A source that ended early: the second its audio ended, and the length it declared; else both null. */
  truncated_at: number | null;
  truncated_of: number | null;
  /** As tagged, for a playlist's M3U8; null in rows older than these columns (and for no artist). */
  title: string | null;
  artist: string | null;
  /** 1: a split by chapters was asked, but the media had none (within the trim), so the file is the whole; else 0. */
  unsplit: Generated<number>;
  /** What SponsorBlock removed or marked (a SponsorBlockOutcome as JSON); null when not asked. */
  sponsorblock: string | null;
}

export type FileRow = Selectable<ConversionFilesTable>;
export type NewFileRow = Insertable<ConversionFilesTable>;

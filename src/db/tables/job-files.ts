import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { AudioFormat } from '../../pipeline/types.ts';

/** One produced audio file of a job, in the order the job made them. */
export interface JobFilesTable {
  id: Generated<number>;
  job_id: string;
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
  /** 0-based order within the job (playlist entry or chapter order). */
  position: number;
}

export type JobFileRow = Selectable<JobFilesTable>;
export type NewJobFileRow = Insertable<JobFilesTable>;
export type JobFileUpdate = Updateable<JobFilesTable>;

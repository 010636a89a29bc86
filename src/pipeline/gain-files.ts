/**
 * ReplayGain for encoded files: each file is decoded once, after its encode, and its placeholders
 * (see replaygain.ts) rewritten with what was measured. An album's gain is that of all its files
 * together. A chapter split's is known once the video's files are measured. A playlist's only once
 * its last entry is, so each entry's file states its own loudness as the album's until then
 * (`writeAlbumGain` at the end rewrites them all); its entries are separate recordings, so their
 * blocks are gathered as libebur128's `ebur128_loudness_global_multiple` (rsgain, foobar2000) does,
 * without blocks straddling two files.
 */
import type { ChildLimits } from './limits.ts';
import { type Blocks, type GainOf, gainTags, loudnessOf, placeholderGainTags } from './replaygain.ts';
import { placeholderTags, setTagValues } from './tag-values.ts';
import { measureBlocks } from './transcode.ts';
import type { AudioFormat, Tools } from './types.ts';

/** The album a file is part of: the video's chapters, the playlist, or none (a video or file on its own). */
export type AlbumOf = 'chapters' | 'playlist' | null;

/** The placeholders the encode of a file of `album` writes. */
export function gainPlaceholders(format: AudioFormat, album: AlbumOf): Record<string, string> {
  const gains: GainOf[] = album === null ? ['TRACK'] : ['TRACK', 'ALBUM'];
  return placeholderTags(format, placeholderGainTags(format, gains));
}

interface ScanRun {
  signal?: AbortSignal;
  limits: Pick<ChildLimits, 'timeoutMs'> & Partial<ChildLimits>;
  /** Seconds decoded, of all the files together. */
  onTime?: (seconds: number) => void;
}

/** Measure an item's files, in order, and write their gains; returns each file's blocks. */
export async function writeGains(
  tools: Tools,
  format: AudioFormat,
  files: readonly { path: string; album: AlbumOf }[],
  run: ScanRun,
): Promise<Blocks[]> {
  const blocks: Blocks[] = [];
  let before = 0;
  for (const { path } of files) {
    let reached = 0;
    const onTime = (t: number) => {
      reached = t;
      run.onTime?.(before + t);
    };
    blocks.push(await measureBlocks(tools, [path], { ...run, onTime }));
    before += reached;
  }
  const chapters = files.filter((f) => f.album === 'chapters').map((f) => f.path);
  // One recording cut up: its album plays on from one file into the next, so the blocks that
  // straddle two files count too (a decode of them all together: fast, 400× real time).
  const all = chapters.length > 0 ? loudnessOf(await measureBlocks(tools, chapters, run)) : null;
  for (const [i, { path, album }] of files.entries()) {
    const track = loudnessOf(blocks[i] as Blocks);
    const gains = album === null ? { TRACK: track } : { TRACK: track, ALBUM: all ?? track };
    await setTagValues(path, format, gainTags(format, gains));
  }
  return blocks;
}

/** A playlist's album gain, once all its entries are measured, written into each of their files. */
export async function writeAlbumGain(format: AudioFormat, files: readonly { path: string; blocks: Blocks }[]) {
  if (files.length === 0) return;
  const album = gainTags(format, { ALBUM: loudnessOf(...files.map((f) => f.blocks)) });
  for (const { path } of files) await setTagValues(path, format, album);
}

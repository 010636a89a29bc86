/**
 * An MP3's tags, chapters and cover as a head of their own: the ID3v2 tag ffmpeg's muxer writes,
 * made by a run over a frame of silence while the frames are encoded by a run that reads the
 * audio alone.
 *
 * Why not in the encode itself: ffmpeg 5.1 reads each input in a thread of its own as soon as it
 * has more than one (the cover, the FFMETADATA file), and hands every packet of the audio across
 * threads. Measured on a 4-min Opus source from a pipe to MP3 192k, six alternating rounds: 2.88 s
 * of CPU with the tag inputs, 2.43 s with the audio alone (8,500 context switches against 100);
 * the head's own run takes ~0.08 s. The MP3 muxer's frames do not depend on its tag (the Info
 * frame's counts and offsets start after it), so head + frames is byte for byte the file one run
 * makes (test/pipeline/mp3-head.test.ts). Joining them copies the frames once more, at the speed
 * of a file copy: far cheaper than the threads.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { mp3HeadArgs, type TagInputs } from './ffmpeg-args.ts';
import { id3v2Length } from './mp3-frames.ts';
import { ffmpegRun } from './transcode.ts';
import type { Tools } from './types.ts';

/** The ID3v2 tag for `tags`: of a file made at `path` (then removed), its head alone. */
export async function makeMp3Head(tools: Tools, tags: TagInputs, path: string, signal?: AbortSignal): Promise<Buffer> {
  try {
    await ffmpegRun(tools, mp3HeadArgs(tags, path), signal);
    const bytes = await readFile(path);
    return bytes.subarray(0, id3v2Length(bytes));
  } finally {
    await rm(path, { force: true });
  }
}

/** Bytes copied at a time: one buffer per join, so a long file's copy leaves no garbage behind. */
const COPY_CHUNK = 1 << 20;

/** Write `head`, then the frames of `frames` (an MP3 without a tag), to `output`. */
export async function joinHead(head: Buffer, frames: string, output: string): Promise<void> {
  const source = await open(frames);
  try {
    const dest = await open(output, 'w');
    try {
      await dest.write(head);
      const buffer = Buffer.allocUnsafe(COPY_CHUNK);
      for (let read = -1; read !== 0; ) {
        ({ bytesRead: read } = await source.read(buffer, 0, buffer.length));
        await dest.write(buffer, 0, read);
      }
    } finally {
      await dest.close();
    }
  } finally {
    await source.close();
  }
}

/** Cover art: the thumbnail fetched through the address guard, centre-cropped to a square JPEG. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { coverArgs } from './ffmpeg-args.ts';
import { fetchGuarded } from './guard.ts';
import { ffmpegRun } from './transcode.ts';
import type { Engine } from './types.ts';

const MAX_THUMBNAIL_BYTES = 10 * 1024 * 1024;

/** Path of a square JPEG made from `thumbnailUrl`, written into `dir`. */
export async function makeCover(
  engine: Engine,
  thumbnailUrl: string,
  dir: string,
  signal?: AbortSignal,
): Promise<string> {
  const image = await fetchGuarded(thumbnailUrl, {
    allowPrivate: engine.policy.allowPrivateAddresses,
    isForbidden: engine.policy.isForbiddenAddress,
    signal,
    maxBytes: MAX_THUMBNAIL_BYTES,
    timeoutMs: 30_000,
  });
  const raw = join(dir, 'thumbnail.img');
  const cover = join(dir, 'cover.jpg');
  await writeFile(raw, image);
  await ffmpegRun(engine.tools, coverArgs(raw, cover), signal);
  return cover;
}

/**
 * Ogg and Opus carry cover art as a METADATA_BLOCK_PICTURE comment: a base64 FLAC picture block.
 * (https://wiki.xiph.org/VorbisComment#Cover_art)
 */
export async function flacPictureBlock(jpegPath: string, side: number): Promise<string> {
  const data = await readFile(jpegPath);
  const mime = Buffer.from('image/jpeg');
  const head = Buffer.alloc(8 + mime.length + 4 + 20);
  let at = head.writeUInt32BE(3, 0); // picture type 3: front cover
  at = head.writeUInt32BE(mime.length, at);
  at += mime.copy(head, at);
  at = head.writeUInt32BE(0, at); // empty description
  for (const value of [side, side, 24, 0, data.length]) at = head.writeUInt32BE(value, at);
  return Buffer.concat([head, data]).toString('base64');
}

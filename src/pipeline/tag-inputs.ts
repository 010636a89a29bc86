/** The files an item's encodes read their tags from: one FFMETADATA file per output. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flacPictureBlock } from './cover.ts';
import { FORMATS, type TagInputs } from './ffmpeg-args.ts';
import { type AlbumOf, gainPlaceholders } from './gain-files.ts';
import type { ItemContext } from './item.ts';
import { probe } from './probe.ts';
import { ffmetadata, type Tags } from './tags.ts';
import type { Chapter } from './types.ts';

/** What an output's tags are made of. */
interface TaggedOutput {
  tags: Tags;
  chapters: Chapter[];
  album: AlbumOf;
}

/** Each output's FFMETADATA file (tags, chapters, an Ogg cover), for its encode to read. */
export async function writeTags(
  plan: readonly TaggedOutput[],
  cover: string | null,
  ctx: ItemContext,
): Promise<TagInputs[]> {
  const extra = await coverTags(cover, ctx);
  return Promise.all(
    plan.map(async (out, i) => {
      const metadata = join(ctx.dir, `audio-${i}.ffmeta`);
      const gains = ctx.options.replaygain ? gainPlaceholders(ctx.options.format, out.album) : {};
      await writeFile(metadata, ffmetadata(out.tags, out.chapters, ctx.options.format, { ...extra, ...gains }));
      return { metadata, cover };
    }),
  );
}

/** Ogg and Opus carry the cover as a tag, made once for all of an item's files. */
async function coverTags(cover: string | null, ctx: ItemContext): Promise<Record<string, string>> {
  const { format } = ctx.options;
  if (!cover || FORMATS[format].pictureStream || format === 'wav') return {};
  const facts = await probe(ctx.engine.tools, cover, ctx.signal);
  return { METADATA_BLOCK_PICTURE: await flacPictureBlock(cover, facts.streams[0]?.width ?? 0) };
}

/**
 * Tag values known only after the encode (the loudness of the file, or of its whole album), written
 * over placeholders of the same width that the encode wrote (see tag-bytes.ts): ID3 TXXX frames
 * (MP3), Vorbis comment fields (FLAC, Ogg, Opus), and iTunes' freeform `----:com.apple.iTunes:`
 * items (M4A), which ffmpeg 5.1 cannot write at all: there the encode writes a `description` (an
 * `desc` item) exactly as long as the freeform items, which take its place inside `ilst`.
 */
import { ConvertError } from '../errors.ts';
import { editHead, editVorbisComments, id3Frames, mp4Children, mp4Ilst, vorbisFields } from './tag-bytes.ts';
import type { AudioFormat } from './types.ts';

/** What the encode writes so that `setTagValues` can later write `values` (of the same widths). */
export function placeholderTags(format: AudioFormat, values: Record<string, string>): Record<string, string> {
  if (format !== 'm4a' || Object.keys(values).length === 0) return values;
  return { description: '0'.repeat(freeformItems(values).length - DESC_OVERHEAD) };
}

/** Write each value over its tag's placeholder, in place; every tag must be there, as wide. */
export async function setTagValues(path: string, format: AudioFormat, values: Record<string, string>): Promise<void> {
  if (Object.keys(values).length === 0) return;
  await editHead(path, format, (head) => {
    const written = new Set<string>();
    const end =
      format === 'mp3'
        ? setId3(head, values, written)
        : format === 'm4a'
          ? setMp4(head, values, written)
          : editVorbisComments(head, format, (list, start) => setVorbis(list, start, values, written));
    const missing = Object.keys(values).filter((key) => !written.has(key));
    if (missing.length > 0)
      throw new ConvertError('internal', `The file's ${missing.join(', ')} could not be written.`);
    return end;
  });
}

/** Where `value` fits exactly, write it; returns whether it did. */
function writeOver(buf: Buffer, at: number, length: number, value: string): boolean {
  if (length !== Buffer.byteLength(value, 'latin1')) return false;
  buf.write(value, at, 'latin1');
  return true;
}

/** ID3v2.4's TXXX: an encoding byte, the description (our key) and a NUL, then the value (and a NUL). */
function setId3(head: Buffer, values: Record<string, string>, written: Set<string>): number | null {
  let end: number | null = null;
  for (const frame of id3Frames(head).filter((f) => f.id === 'TXXX')) {
    const body = head.subarray(frame.at + 1, frame.at + frame.size);
    const nul = body.indexOf(0);
    const key = body.toString('latin1', 0, nul);
    const value = values[key];
    if (nul < 0 || value === undefined) continue;
    const length = body.length - nul - 1 - (body.at(-1) === 0 ? 1 : 0);
    if (writeOver(body, nul + 1, length, value)) written.add(key);
    end = frame.at + frame.size;
  }
  return end;
}

/** Vorbis comments: `KEY=value` fields (keys are matched whatever their case). */
function setVorbis(list: Buffer, start: number, values: Record<string, string>, written: Set<string>): boolean {
  for (const { at, length } of vorbisFields(list, start).fields) {
    const field = list.toString('latin1', at, at + length);
    const eq = field.indexOf('=');
    const key = Object.keys(values).find((k) => k.toLowerCase() === field.slice(0, eq).toLowerCase());
    if (eq < 0 || key === undefined) continue;
    if (writeOver(list, at + eq + 1, length - eq - 1, values[key] as string)) written.add(key);
  }
  return written.size > 0;
}

/** A `desc` item: its header, then a `data` atom (header, type, locale) around the text. */
const DESC_OVERHEAD = 8 + 16;

/**
 * M4A: the freeform items already there get their values; the first time, the placeholder `desc`
 * item becomes the freeform items, which fill it exactly.
 */
function setMp4(head: Buffer, values: Record<string, string>, written: Set<string>): number | null {
  const ilst = mp4Ilst(head);
  if (!ilst) return null;
  const items = mp4Children(head, ilst);
  const freeform = freeformItems(values);
  const desc = items.find((item) => item.type === 'desc' && item.size === freeform.length);
  if (desc && !items.some((item) => item.type === '----')) {
    freeform.copy(head, desc.at);
    for (const key of Object.keys(values)) written.add(key);
    return desc.at + desc.size;
  }
  for (const item of items.filter((i) => i.type === '----')) {
    const parts = mp4Children(head, item);
    const name = parts.find((p) => p.type === 'name');
    const data = parts.find((p) => p.type === 'data');
    if (!name || !data) continue;
    const key = Object.keys(values).find(
      (k) => mp4Name(k) === head.toString('latin1', name.at + 12, name.at + name.size),
    );
    if (key !== undefined && writeOver(head, data.at + 16, data.size - 16, values[key] as string)) written.add(key);
  }
  return ilst.at + ilst.size;
}

/** The freeform items for `values`, one after the other, as they go into `ilst`. */
function freeformItems(values: Record<string, string>): Buffer {
  return Buffer.concat(
    Object.entries(values).map(([key, value]) =>
      atom(
        '----',
        atom('mean', fullBox(), Buffer.from('com.apple.iTunes')),
        atom('name', fullBox(), Buffer.from(mp4Name(key))),
        // Type 1: UTF-8 text; then the locale (none).
        atom('data', Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]), Buffer.from(value, 'latin1')),
      ),
    ),
  );
}

/** Players look freeform ReplayGain names up in lower case, as foobar2000 writes them. */
function mp4Name(key: string): string {
  return key.toLowerCase();
}

function atom(type: string, ...body: Buffer[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.reduce((sum, b) => sum + b.length, 0));
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, ...body]);
}

/** A full box's version and flags: all zero. */
function fullBox(): Buffer {
  return Buffer.alloc(4);
}

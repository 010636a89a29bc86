/**
 * Several values of one tag (the artists), as each format holds them. ffmpeg 5.1 writes one value
 * per key (its FFMETADATA reader and `-metadata` overwrite a repeated key) and reads back only the
 * first of ID3v2.4's, so it cannot write them. Instead the encode writes the values joined by a
 * placeholder exactly as long as the format's own way of separating them, and `splitMultiValues`
 * then turns the placeholder into that separation in place (see tag-bytes.ts).
 * - MP3 (ID3v2.4): the values of one text frame are separated by a NUL: a 1-byte placeholder.
 * - FLAC, Ogg, Opus (Vorbis comments): one `artist=` field per value: the placeholder takes the
 *   place of the next field's 4-byte length and its `artist=`; the field count grows, and Ogg's
 *   page checksums are made again.
 * - M4A and WAV hold one value per tag (iTunes' `©ART`, RIFF's `IART`): joined with ", ".
 */
import { editHead, editVorbisComments, id3Frames, vorbisFields } from './tag-bytes.ts';
import type { AudioFormat } from './types.ts';

const MARK = '\x1f';
/** The Vorbis comment key ffmpeg writes the artists under (it writes keys as given). */
const VORBIS_KEY = 'artist=';
const VORBIS_SEPARATOR = MARK.repeat(4 + VORBIS_KEY.length);

const SEPARATORS: Readonly<Record<AudioFormat, string | null>> = {
  mp3: MARK,
  flac: VORBIS_SEPARATOR,
  ogg: VORBIS_SEPARATOR,
  opus: VORBIS_SEPARATOR,
  m4a: null,
  wav: null,
};

/** Several artists as one value, where only one fits (an album artist, a format with one value per tag). */
export function joinArtists(artists: readonly string[]): string | null {
  return artists.length > 0 ? artists.join(', ') : null;
}

/** The artists as the one value the encode writes; undefined for none. */
export function multiValue(format: AudioFormat, values: readonly string[]): string | undefined {
  // Control characters have no business in a name; without them, a placeholder is never a name's.
  const clean = values.map((v) => v.replaceAll(MARK, '')).filter((v) => v !== '');
  const separator = SEPARATORS[format];
  if (separator === null) return joinArtists(clean) ?? undefined;
  return clean.length > 0 ? clean.join(separator) : undefined;
}

/** Turn an encoded file's placeholders into several values (see above); a no-op for one value. */
export async function splitMultiValues(path: string, format: AudioFormat): Promise<void> {
  if (SEPARATORS[format] === null) return;
  await editHead(path, format, (head) =>
    format === 'mp3' ? splitId3(head) : editVorbisComments(head, format, splitVorbisFields),
  );
}

/** ID3v2.4's artist frame (TPE1): each placeholder becomes the NUL between two values; returns where it ends. */
function splitId3(head: Buffer): number | null {
  const frame = id3Frames(head).find((f) => f.id === 'TPE1');
  if (!frame) return null;
  const bytes = head.subarray(frame.at, frame.at + frame.size);
  const marks = [...bytes.keys()].filter((i) => bytes[i] === MARK.charCodeAt(0));
  for (const i of marks) bytes[i] = 0;
  return marks.length > 0 ? frame.at + frame.size : null;
}

/**
 * Split the `artist=` fields of a Vorbis comment list that starts at `start`; the list keeps its
 * length. Returns whether anything changed.
 */
function splitVorbisFields(list: Buffer, start: number): boolean {
  const { countAt, fields } = vorbisFields(list, start);
  let added = 0;
  for (const { at, length } of fields) {
    const field = list.subarray(at, at + length);
    if (field.toString('latin1', 0, VORBIS_KEY.length).toLowerCase() === VORBIS_KEY) {
      const values = field.subarray(VORBIS_KEY.length).toString('latin1').split(VORBIS_SEPARATOR);
      const rebuilt = Buffer.concat(values.map((v) => vorbisField(field.subarray(0, VORBIS_KEY.length), v)));
      rebuilt.copy(list, at - 4);
      added += values.length - 1;
    }
  }
  list.writeUInt32LE(fields.length + added, countAt);
  return added > 0;
}

/** One length-prefixed `key=value` field; latin1 both ways keeps UTF-8 bytes as they are. */
function vorbisField(key: Buffer, value: string): Buffer {
  const bytes = Buffer.concat([key, Buffer.from(value, 'latin1')]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** Facts about produced files straight from ffprobe, independent of the code under test. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Probed {
  format: { format_name: string; duration: string; bit_rate?: string; tags?: Record<string, string> };
  streams: {
    codec_type: string;
    codec_name: string;
    bit_rate?: string;
    sample_rate?: string;
    width?: number;
    height?: number;
    disposition?: { attached_pic?: number };
    tags?: Record<string, string>;
  }[];
  chapters: { start_time: string; end_time: string; tags?: { title?: string } }[];
}

export async function ffprobe(file: string): Promise<Probed> {
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    '-show_chapters',
    file,
  ]);
  return JSON.parse(stdout) as Probed;
}

/** ffprobe of bytes received over HTTP, through a temporary file (ffprobe needs to seek). */
export async function ffprobeBytes(bytes: Uint8Array): Promise<Probed> {
  const dir = await mkdtemp(join(tmpdir(), 'ytconv-probe-'));
  try {
    const file = join(dir, 'download');
    await writeFile(file, bytes);
    return await ffprobe(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** All tags of a file with lower-case keys (container and audio stream: Ogg keeps them on the stream). */
export function tagsOf(p: Probed): Record<string, string> {
  const audio = p.streams.find((s) => s.codec_type === 'audio')?.tags ?? {};
  const all = { ...audio, ...p.format.tags };
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v]));
}

export function audioOf(p: Probed): Probed['streams'][number] {
  const audio = p.streams.find((s) => s.codec_type === 'audio');
  if (!audio) throw new Error('no audio stream');
  return audio;
}

export function coverOf(p: Probed): Probed['streams'][number] | undefined {
  return p.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic === 1);
}

/** The picture a file carries as its cover, byte for byte as stored. */
export async function attachedPicture(file: string): Promise<Buffer> {
  const args = ['-v', 'error', '-i', file, '-map', '0:v', '-c', 'copy', '-f', 'image2pipe', '-'];
  const { stdout } = await exec('ffmpeg', args, { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** A hash of the audio packets: equal hashes mean the audio was copied, not re-encoded. */
export async function audioPacketHash(file: string): Promise<string> {
  const { stdout } = await exec('ffmpeg', [
    '-v',
    'error',
    '-i',
    file,
    '-map',
    '0:a:0',
    '-c',
    'copy',
    '-f',
    'hash',
    '-hash',
    'md5',
    '-',
  ]);
  return stdout.trim();
}

/**
 * Integrated loudness in LUFS, measured by ffmpeg's EBU R128 filter: its running figure after the
 * last 100 ms, to the thousandth (its summary rounds to the tenth). Several files: as one, in order.
 */
export async function loudness(...files: string[]): Promise<number> {
  const inputs = files.flatMap((f) => ['-i', f]);
  const joined = files.map((_, i) => `[${i}:a:0]`).join('');
  const graph = `${joined}concat=n=${files.length}:v=0:a=1,ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.I`;
  const { stderr } = await exec('ffmpeg', ['-nostats', ...inputs, '-filter_complex', graph, '-f', 'null', '-']);
  const last = [...stderr.matchAll(/lavfi\.r128\.I=(-?[\d.]+)/g)].at(-1)?.[1];
  if (last === undefined) throw new Error('no loudness measured');
  return Number(last);
}

/** The highest sample of a file's audio, linear (1 = full scale), as ffmpeg's astats finds it. */
export async function samplePeak(file: string): Promise<number> {
  const { stderr } = await exec('ffmpeg', [
    '-nostats',
    '-i',
    file,
    '-map',
    '0:a:0',
    '-af',
    'astats',
    '-f',
    'null',
    '-',
  ]);
  const db = [...stderr.matchAll(/Peak level dB:\s+(-?[\d.]+)/g)].at(-1)?.[1];
  if (db === undefined) throw new Error('no peak measured');
  return 10 ** (Number(db) / 20);
}

/** What a file decodes to, as interleaved 16-bit stereo samples (an MP3 trimmed as its LAME tag says). */
export async function decodePcm(file: string): Promise<Int16Array> {
  const { stdout } = await exec('ffmpeg', ['-v', 'error', '-i', file, '-f', 's16le', '-ac', '2', '-'], {
    encoding: 'buffer',
    maxBuffer: 1 << 30,
  });
  return new Int16Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 2);
}

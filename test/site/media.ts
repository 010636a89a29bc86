/**
 * Media for the stand-in site, made by ffmpeg at test time. Files are cached across runs in
 * os.tmpdir()/ytconv-standin-<hash of the recipes>/, so editing a recipe never reuses stale files,
 * and each is written under a temporary name and renamed into place, because several test
 * processes may generate the same file at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/pipeline/process.ts';

/** YouTube's format ids: 251 Opus/WebM, 140 AAC/M4A (both DASH audio), 18 muxed MP4, 160 video-only MP4. */
export type Itag = '251' | '140' | '18' | '160';

/** A sine tone: its pitch tells outputs of different videos apart. */
export interface Tone {
  frequency: number;
  seconds: number;
  /** Louder or quieter than ffmpeg's sine (−18 dBFS peak), in dB, for loudness tests. */
  gainDb?: number;
  /** Stretches of silence [start, end) in seconds, so that a test can find where they went in an output. */
  silences?: readonly (readonly [number, number])[];
}

interface Recipe {
  ext: string;
  /** ffmpeg arguments between the global options and the output file. */
  args(tone: Tone): string[];
}

const sine = (t: Tone): string[] => ['-f', 'lavfi', '-i', t.silences?.length ? silencedSine(t) : plainSine(t)];
const plainSine = (t: Tone): string =>
  `sine=frequency=${t.frequency}:duration=${t.seconds}:sample_rate=48000${t.gainDb ? `,volume=${t.gainDb}dB` : ''}`;
/** ffmpeg's sine (amplitude 1/8), silent sample by sample in [start, end): a timeline filter would cut per frame. */
const silencedSine = (t: Tone): string => {
  const silent = (t.silences ?? []).map(([a, b]) => `gte(t,${a})*lt(t,${b})`).join('+');
  return `aevalsrc='if(${silent},0,sin(2*PI*${t.frequency}*t)/8)':s=48000:d=${t.seconds}`;
};
const picture = (t: Tone): string[] => ['-f', 'lavfi', '-i', `testsrc2=size=160x90:rate=5:duration=${t.seconds}`];
const stereo = (rate: number): string[] => ['-ac', '2', '-ar', String(rate)];
const aac = (bitrate: string): string[] => ['-c:a', 'aac', '-b:a', bitrate, ...stereo(44100)];
const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p'];
// Fragmented like YouTube's DASH streams, so a consumer can read them from a pipe.
const DASH_MP4 = ['-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4'];

const RECIPES = {
  '251': { ext: 'webm', args: (t) => [...sine(t), '-c:a', 'libopus', '-b:a', '128k', ...stereo(48000), '-f', 'webm'] },
  '140': { ext: 'm4a', args: (t) => [...sine(t), ...aac('128k'), ...DASH_MP4] },
  '18': {
    ext: 'mp4',
    args: (t) => [...picture(t), ...sine(t), ...H264, ...aac('96k'), '-movflags', '+faststart', '-f', 'mp4'],
  },
  '160': { ext: 'mp4', args: (t) => [...picture(t), ...H264, ...DASH_MP4] },
  // A 16:9 frame, so that consumers' square cover crops can be checked; the hue tells videos apart.
  thumbnail: {
    ext: 'jpg',
    args: (t) => [
      ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=1', '-frames:v', '1'],
      ...['-vf', `hue=h=${t.frequency % 360}`, '-q:v', '3', '-f', 'mjpeg'],
    ],
  },
  mp3: { ext: 'mp3', args: (t) => [...sine(t), '-c:a', 'libmp3lame', '-b:a', '192k', ...stereo(44100), '-f', 'mp3'] },
  // Without +faststart ffmpeg writes the moov atom after the media data.
  'm4a-moov-at-end': { ext: 'm4a', args: (t) => [...sine(t), ...aac('128k'), '-f', 'ipod'] },
  // A plain (not fragmented) MP4 with nothing but AAC, index first, as a web server would host it.
  'mp4-audio': { ext: 'mp4', args: (t) => [...sine(t), ...aac('128k'), '-movflags', '+faststart', '-f', 'mp4'] },
  ogg: { ext: 'ogg', args: (t) => [...sine(t), '-c:a', 'libvorbis', '-q:a', '4', ...stereo(44100), '-f', 'ogg'] },
} satisfies Record<string, Recipe>;

export type MediaKind = keyof typeof RECIPES;

const REFERENCE_TONE: Tone = { frequency: 1, seconds: 1 };
const recipeHash = createHash('sha256')
  .update(JSON.stringify(Object.entries(RECIPES).map(([kind, r]) => [kind, r.ext, r.args(REFERENCE_TONE)])))
  .digest('hex')
  .slice(0, 10);

const CACHE_DIR = join(tmpdir(), `ytconv-standin-${recipeHash}`);

/** Files being made by this process, so that concurrent callers share one ffmpeg run. */
const pending = new Map<string, Promise<string>>();

/** The path of `kind` rendered from `tone`, generated on first use. */
export function mediaFile(kind: MediaKind, tone: Tone): Promise<string> {
  const recipe: Recipe = RECIPES[kind];
  const gain = tone.gainDb ? `-${tone.gainDb}db` : '';
  const silences = (tone.silences ?? []).map(([a, b]) => `-silent${a}-${b}`).join('');
  const name = `${kind}-${tone.frequency}hz-${tone.seconds}s${gain}${silences}.${recipe.ext}`;
  return cached(name, (tmp) =>
    withSlot(() => run('ffmpeg', 'ffmpeg', ['-v', 'error', '-y', ...recipe.args(tone), tmp], { env: process.env })),
  );
}

/** Deterministic bytes that no demuxer recognises, for a corrupt download. */
export function garbageFile(size: number): Promise<string> {
  return cached(`garbage-${size}.bin`, async (tmp) => {
    const bytes = Buffer.alloc(size);
    for (let at = 0; at < size; at += 64) createHash('sha512').update(String(at)).digest().copy(bytes, at);
    await writeFile(tmp, bytes);
  });
}

function cached(name: string, make: (tmp: string) => Promise<unknown>): Promise<string> {
  const path = join(CACHE_DIR, name);
  let file = pending.get(path);
  if (!file) {
    file = existsSync(path) ? Promise.resolve(path) : createAtomically(path, make);
    pending.set(path, file);
    // A failure must not stick: the next caller tries again.
    file.catch(() => pending.delete(path));
  }
  return file;
}

async function createAtomically(path: string, make: (tmp: string) => Promise<unknown>): Promise<string> {
  await mkdir(CACHE_DIR, { recursive: true });
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await make(tmp);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
  return path;
}

// ffmpeg runs are CPU-bound: more at once than cores only slows each down.
const MAX_RUNNING = availableParallelism();
let running = 0;
const waiting: (() => void)[] = [];

async function withSlot<T>(job: () => Promise<T>): Promise<T> {
  if (running < MAX_RUNNING) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await job();
  } finally {
    // Hand the slot straight to the next job, so a newcomer cannot overtake it.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/**
 * Getting remote media: either encoded while yt-dlp downloads it (download and encode overlap),
 * or downloaded to a file first when the container needs seeking or the audio is read twice.
 * Size limits are enforced on yt-dlp's count of the bytes as they arrive (its progress lines).
 */
import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ConvertError } from '../errors.ts';
import { formatBytes } from '../units.ts';
import { type ChildLimits, limitError } from './limits.ts';
import type { Running } from './process.ts';
import { Spool } from './spool.ts';
import type { FfmpegRun } from './transcode.ts';
import { type DownloadProgress, downloadArgs, parseProgressLine, type RemoteFormat, type Ytdlp } from './ytdlp.ts';
import { ytdlpError } from './ytdlp-errors.ts';

const STREAMABLE_EXT = new Set(['webm', 'weba', 'mka', 'mkv', 'mp3', 'ogg', 'oga', 'opus', 'flac', 'wav', 'aac']);

/** Can ffmpeg read this format from a pipe, without seeking? (Plain MP4 keeps its index at the end.) */
export function streamable(format: RemoteFormat): boolean {
  return format.container?.endsWith('_dash') === true || STREAMABLE_EXT.has(format.ext);
}

export interface FetchControl {
  signal?: AbortSignal;
  maxBytes: number | null;
  limits: ChildLimits;
  onDownload: (p: DownloadProgress) => void;
}

/** A failed download as a person should see it: our own limits first, then yt-dlp's reasons. */
function downloadError(err: unknown, ytdlp: Ytdlp, limits: ChildLimits): ConvertError {
  return limitError(err, 'download', limits) ?? ytdlpError(err, ytdlp.refused());
}

/** yt-dlp could not even be started: the job's signal is let go and the reason said as for any failure. */
function startFailed(stopper: Stopper, ytdlp: Ytdlp, limits: ChildLimits): (err: unknown) => never {
  return (err) => {
    stopper.dispose();
    throw downloadError(err, ytdlp, limits);
  };
}

/** Ends `children` early with a ConvertError that wins over the errors the kill itself causes. */
class Stopper {
  readonly controller = new AbortController();
  reason: ConvertError | null = null;
  readonly #outer: AbortSignal | undefined;
  readonly #onAbort = (): void => this.stop(cancelled());

  constructor(outer: AbortSignal | undefined) {
    this.#outer = outer;
    if (outer?.aborted) this.stop(cancelled());
    outer?.addEventListener('abort', this.#onAbort, { once: true });
  }

  stop(reason: ConvertError): void {
    this.reason ??= reason;
    this.controller.abort();
  }

  /** Stop listening to the job's signal (a playlist makes one Stopper per entry). */
  dispose(): void {
    this.#outer?.removeEventListener('abort', this.#onAbort);
  }
}

function cancelled(): ConvertError {
  return new ConvertError('cancelled', 'The conversion was cancelled.');
}

export function tooLarge(max: number): ConvertError {
  return new ConvertError('too_large', `The media is larger than this server's limit of ${formatBytes(max)}.`);
}

/** What encodes a download as it arrives (one ffmpeg, or several: item.ts); resolves with its last position. */
export type StreamEncoder = (
  input: Spool,
  run: Pick<FfmpegRun, 'signal' | 'limits' | 'onTime'>,
) => Promise<number | null>;

/**
 * yt-dlp writes the format to a file beside the info JSON and ffmpeg encodes it as it arrives,
 * reading it through a Spool (spool.ts). The encoder may finish before the download does (a trim ends
 * early): the download is then ended, and that kill is ours, not a failure. A download that ends
 * on its own is judged by its exit status: its failure is the cause of whatever the encoder then
 * made of the cut-off input. Resolves with the encoder's last position, in seconds.
 *
 * The download is watched for inactivity through its progress (see followProgress); the encoder
 * gets the same limits (see encodeTo in item.ts for what its inactivity is); a download's failure
 * is told before the encoder's.
 */
export async function streamEncode(
  ytdlp: Ytdlp,
  infoJson: string,
  format: RemoteFormat,
  encoder: { encode: StreamEncoder; onTime: (s: number, stop: (e: ConvertError) => void) => void },
  ctl: FetchControl,
): Promise<number | null> {
  const stopper = new Stopper(ctl.signal);
  const signal = stopper.controller.signal;
  const spool = new Spool(join(dirname(infoJson), 'download.stream'));
  // A file being read as it is written must not be rewritten afterwards (yt-dlp's fixups do that).
  const args = [...downloadArgs(ytdlp.baseArgs, infoJson, format.id, spool.path), '--fixup', 'never'];
  const dl = await ytdlp
    .start(args, { env: ytdlp.env, signal, ...ctl.limits })
    .catch(startFailed(stopper, ytdlp, ctl.limits));
  followProgress(dl, ctl, stopper);
  let cut = false;
  // A download that one of its limits ended failed on its own, even when the encoder ended first:
  // segments reading the spool may go quiet just after the site does (see encodeTo in item.ts).
  const download = dl.done.catch((err: unknown) => {
    if (!cut || limitError(err, 'download', ctl.limits)) stopper.stop(downloadError(err, ytdlp, ctl.limits));
  });
  // A file that shrank after a trim's encoder had all it needed changes nothing.
  const following = spool.follow(dl.done).catch(() => {
    if (!cut) stopper.stop(restarted());
  });
  // The encoder may wait for its inputs (tags, cover) to be made while yt-dlp starts.
  const encode = encoder
    .encode(spool, {
      signal,
      limits: ctl.limits,
      onTime: (s) => encoder.onTime(s, (e) => stopper.stop(e)),
    })
    .finally(() => {
      if (spool.ended) return;
      cut = true;
      dl.kill();
    });
  const [, encResult] = await Promise.allSettled([download, encode, following]);
  stopper.dispose();
  await rm(spool.path, { force: true });
  if (stopper.reason) throw stopper.reason;
  if (encResult.status === 'rejected') throw encResult.reason;
  return encResult.value;
}

function restarted(): ConvertError {
  return new ConvertError('network', 'The download broke off and could not be resumed. Try again later.');
}

/**
 * yt-dlp's progress lines (on stdout: it writes the media to a file) as the download's progress:
 * to the caller, to the inactivity limit, and against the size limit. Retries start over from a
 * resume point, so only bytes beyond the most seen are progress.
 */
function followProgress(dl: Pick<Running, 'stdout' | 'progressed'>, ctl: FetchControl, stopper: Stopper): void {
  let most = 0;
  createInterface({ input: dl.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    const p = parseProgressLine(line);
    if (!p) return;
    if (p.bytes > most) dl.progressed();
    most = Math.max(most, p.bytes);
    if (ctl.maxBytes !== null && p.bytes > ctl.maxBytes) stopper.stop(tooLarge(ctl.maxBytes));
    ctl.onDownload(p);
  });
}

/** Download the format into `dir` and return the file's path. */
export async function downloadFile(
  ytdlp: Ytdlp,
  infoJson: string,
  format: RemoteFormat,
  dir: string,
  ctl: FetchControl,
): Promise<string> {
  const stopper = new Stopper(ctl.signal);
  const dl = await ytdlp
    .start(downloadArgs(ytdlp.baseArgs, infoJson, format.id, join(dir, 'source.%(ext)s')), {
      env: ytdlp.env,
      signal: stopper.controller.signal,
      ...ctl.limits,
    })
    .catch(startFailed(stopper, ytdlp, ctl.limits));
  followProgress(dl, ctl, stopper);
  try {
    await dl.done;
  } catch (err) {
    throw stopper.reason ?? downloadError(err, ytdlp, ctl.limits);
  } finally {
    stopper.dispose();
  }
  const name = (await readdir(dir)).find((f) => f.startsWith('source.'));
  if (!name) throw new ConvertError('internal', 'yt-dlp reported success but wrote no file.');
  return join(dir, name);
}

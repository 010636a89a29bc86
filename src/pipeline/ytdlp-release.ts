/**
 * A yt-dlp release as published (a folder serving `SHA2-256SUMS` and the `yt-dlp` zipapp): its
 * checksum, a verified download, and the canary that a new yt-dlp must pass before anyone uses it.
 * The release folder comes from the operator's configuration, never from a user.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inspect } from './inspect.ts';
import { parseSource } from './sources.ts';
import type { Engine } from './types.ts';

/** The file of the release that ytconv runs: the platform-independent zipapp. */
const RELEASE_FILE = 'yt-dlp';
const SUMS_FILE = 'SHA2-256SUMS';
const SUMS_TIMEOUT_MS = 30_000;
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
/** The zipapp is about 3 MB: anything this large is not it. */
const MAX_RELEASE_BYTES = 100 * 1024 ** 2;
/** The canary extracts one video: a minute is plenty, and a check must not hang on a dead site. */
const CANARY_TIMEOUT_MS = 60_000;

/** Why a release could not be had: `outcome` is what the check records. */
export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
  readonly outcome: 'download_failed' | 'checksum_mismatch';
  constructor(outcome: ReleaseError['outcome'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.outcome = outcome;
  }
}

/** The published SHA-256 of the release's `yt-dlp`, in lower-case hex. */
export async function releaseChecksum(releases: string): Promise<string> {
  const response = await get(releases, SUMS_FILE, SUMS_TIMEOUT_MS);
  const text = await response.text().catch((err: unknown) => {
    throw unreachable(releases, err);
  });
  for (const line of text.split('\n')) {
    const [hash, name] = line.trim().split(/\s+\*?/);
    if (name === RELEASE_FILE && /^[0-9a-f]{64}$/i.test(hash ?? '')) return (hash as string).toLowerCase();
  }
  throw new ReleaseError('download_failed', `${SUMS_FILE} at ${releases} lists no ${RELEASE_FILE}.`);
}

/**
 * Download the release's `yt-dlp` into `dir` under a temporary name (starting with a dot), executable,
 * and return its path; it must hash to `sha256`, else nothing is left behind.
 */
export async function downloadRelease(releases: string, sha256: string, dir: string): Promise<string> {
  const path = join(dir, `.download-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > MAX_RELEASE_BYTES) return done(new ReleaseError('download_failed', 'The release is far too large.'));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    const response = await get(releases, RELEASE_FILE, DOWNLOAD_TIMEOUT_MS);
    if (response.body === null) throw new ReleaseError('download_failed', `${releases} sent no ${RELEASE_FILE}.`);
    await pipeline(Readable.fromWeb(response.body), counted, createWriteStream(path)).catch((err: unknown) => {
      throw err instanceof ReleaseError ? err : unreachable(releases, err);
    });
    const got = hash.digest('hex');
    if (got !== sha256) {
      throw new ReleaseError(
        'checksum_mismatch',
        `The downloaded yt-dlp does not match its published SHA-256 (${SUMS_FILE}).`,
      );
    }
    await chmod(path, 0o755);
    return path;
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
}

export async function sha256File(path: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(path), hash);
  } catch {
    return null;
  }
  return hash.digest('hex');
}

/**
 * Extract the canary link with the yt-dlp at `ytdlp`, exactly as a conversion would (the same
 * session: base options, plugins, environment, address guard), but as a process of its own: a
 * worker's warm yt-dlp belongs to its jobs. Throws the ConvertError a conversion would have failed with.
 */
export async function runCanary(engine: Engine, ytdlp: string, url: string): Promise<void> {
  const { warmYtdlp: _, ...rest } = engine;
  const candidate: Engine = { ...rest, tools: { ...engine.tools, ytdlp } };
  await inspect(parseSource(url, { allowFiles: false }), candidate, AbortSignal.timeout(CANARY_TIMEOUT_MS));
}

async function get(releases: string, file: string, timeoutMs: number): Promise<Response> {
  const url = `${releases.replace(/\/+$/, '')}/${file}`;
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw unreachable(releases, err);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ReleaseError('download_failed', `${url} answered HTTP ${response.status}.`);
  }
  return response;
}

function unreachable(releases: string, cause: unknown): ReleaseError {
  return new ReleaseError('download_failed', `The release folder ${releases} could not be reached.`, { cause });
}

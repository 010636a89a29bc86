/**
 * Stand-in yt-dlp releases, served from loopback in GitHub's layout: `/releases/latest/download/`
 * and `/releases/download/<version>/`, each with `yt-dlp` and `SHA2-256SUMS`. A release is the
 * installed yt-dlp (Debian's) repackaged as a zipapp like the official one, with a version of its
 * own: `--version` and `yt_dlp.version` report it, so the plugin's versioned video
 * (plugin/yt_dlp_plugins/extractor/standin_release.py) can work or break by version. Built once
 * per version and cached in the temp directory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/pipeline/process.ts';
import { pythonOf } from '../../src/pipeline/tools.ts';

/** The yt-dlp every release is made of. */
const INSTALLED = '/usr/bin/yt-dlp';

/** Its package as a zipapp, like the official release; only version.py says otherwise. */
const BUILD = String.raw`
import os, re, sys, zipfile, yt_dlp
out, version = sys.argv[1], sys.argv[2]
root = os.path.dirname(yt_dlp.__file__)
with open(out, 'wb') as f:
    f.write(b'#!/usr/bin/env python3\n')
    with zipfile.ZipFile(f, 'w', zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr('__main__.py', 'import yt_dlp\nyt_dlp.main()\n')
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = [d for d in subfolders if d != '__pycache__']
            for name in names:
                if not name.endswith('.py'):
                    continue
                path = os.path.join(folder, name)
                inside = os.path.join('yt_dlp', os.path.relpath(path, root))
                text = open(path, encoding='utf-8').read()
                if inside == os.path.join('yt_dlp', 'version.py'):
                    text = re.sub(r"(?m)^__version__ = .*$", '__version__ = %r' % version, text)
                z.writestr(inside, text)
`;

export interface StandInRelease {
  version: string;
  /** SHA2-256SUMS lists another file's hash for `yt-dlp`. */
  badChecksum?: boolean;
}

export interface Releases {
  /** `YTCONV_YTDLP_RELEASES` for the newest published release. */
  readonly latestUrl: string;
  /** How many times `yt-dlp` itself was downloaded. */
  readonly downloads: number;
  /** Make `release` the newest (and available by its version); built on first use. */
  publish(release: StandInRelease): Promise<void>;
  close(): Promise<void>;
}

interface Published {
  file: Buffer;
  sums: string;
}

export async function startReleases(): Promise<Releases> {
  const byVersion = new Map<string, Published>();
  let latest: Published | null = null;
  let downloads = 0;
  const server = createServer((req, res) => {
    const match = /^\/releases\/(?:latest\/download|download\/([^/]+))\/(yt-dlp|SHA2-256SUMS)$/.exec(req.url ?? '');
    const release = match?.[1] === undefined ? latest : byVersion.get(match[1]);
    if (!match || !release) return void res.writeHead(404).end();
    if (match[2] === 'SHA2-256SUMS') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(release.sums);
    downloads++;
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(release.file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    latestUrl: `${origin}/releases/latest/download`,
    get downloads() {
      return downloads;
    },
    async publish({ version, badChecksum = false }) {
      const file = await readFile(await build(version));
      const hash = createHash('sha256')
        .update(badChecksum ? 'another file' : file)
        .digest('hex');
      // As GitHub's: every file of the release, the zipapp among them.
      const sums = `${'0'.repeat(64)}  yt-dlp.exe\n${hash}  yt-dlp\n${'1'.repeat(64)}  yt-dlp_macos\n`;
      latest = { file, sums };
      byVersion.set(version, latest);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The zipapp for `version`, built once per machine (written under a temporary name, then renamed). */
async function build(version: string): Promise<string> {
  const key = createHash('sha256').update(BUILD).update(INSTALLED).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `ytconv-standin-releases-${key}`);
  const path = join(dir, version, 'yt-dlp');
  if (existsSync(path)) return path;
  await mkdir(join(dir, version), { recursive: true });
  const python = (await pythonOf(INSTALLED)) ?? 'python3';
  const partial = `${path}.${randomBytes(4).toString('hex')}.partial`;
  await run('python', python, ['-c', BUILD, partial, version], { env: { PATH: process.env.PATH }, timeoutMs: 60_000 });
  await chmod(partial, 0o755);
  await rename(partial, path);
  return path;
}

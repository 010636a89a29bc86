/**
 * What `ytconv convert` loads before it starts its first child: only what converting needs, so
 * that yt-dlp starts soon after Node does. Not a timing: the modules themselves, as the sources
 * import them (the bundle `make` builds keeps the same lazy imports, as chunks of its own).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/engine.ts';
import type { FirstChildProbe } from '../helpers/first-child-probe.ts';

const exec = promisify(execFile);
const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');
const PROBE = join(import.meta.dirname, '..', 'helpers', 'first-child-probe.ts');

let dir: string;
before(async () => {
  dir = await tempDir();
  // Says what version it is, then fails every conversion like a broken tool.
  await writeFile(join(dir, 'yt-dlp'), '#!/bin/sh\n[ "$1" = --version ] && { echo 2025.01.01; exit 0; }\nexit 3\n');
  await chmod(join(dir, 'yt-dlp'), 0o755);
});
after(() => rm(dir, { recursive: true, force: true }));

/** The modules loaded when `ytconv convert URL` started its first child. */
async function loadedBeforeFirstChild(): Promise<FirstChildProbe> {
  const output = join(dir, 'probe.json');
  const env = {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${PROBE}`,
    FIRST_CHILD_PROBE: output,
    YTCONV_YTDLP: join(dir, 'yt-dlp'),
  };
  const url = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';
  await exec(process.execPath, [MAIN, 'convert', url, '-o', dir], { env, timeout: 30_000 }).catch(() => {});
  return JSON.parse(await readFile(output, 'utf8')) as FirstChildProbe;
}

describe('ytconv convert at start-up', () => {
  it('loads no part of the service: web, queue, database, mail, logging', async () => {
    const { modules } = await loadedBeforeFirstChild();
    assert.ok(
      modules.some((url) => url.endsWith('/src/pipeline/convert.ts')),
      'the probe saw the pipeline load',
    );
    const service = /\/node_modules\/(?:fastify|@fastify|bullmq|ioredis|kysely|better-sqlite3|pg|nodemailer|pino)\//;
    // The page's plain modules (src/web/public) hold pure helpers the CLI shares, such as sizes.
    const ours = /\/src\/(?:web\/(?!public\/)|queue\/|db\/|jobs\/)/;
    assert.deepEqual(
      modules.filter((url) => service.test(url) || ours.test(url)),
      [],
    );
  });

  it('loads neither TLS nor the fetch client (undici) before yt-dlp runs', async () => {
    const { builtins } = await loadedBeforeFirstChild();
    assert.ok(builtins.includes('NativeModule child_process'), 'the probe saw node modules load');
    const unneeded = /^NativeModule (?:https|tls|internal\/deps\/undici\/undici)$/;
    assert.deepEqual(
      builtins.filter((name) => unneeded.test(name)),
      [],
    );
  });
});

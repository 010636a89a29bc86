/** What the programs ytconv starts can see of its environment: the allow-list, never a secret. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/engine.ts';
import { mediaFile } from '../site/media.ts';

const exec = promisify(execFile);
const YTCONV = join(import.meta.dirname, '..', '..', 'bin', 'ytconv');

const SECRETS = {
  PGPASSWORD: 'pg-secret',
  DATABASE_URL: 'postgres://ytconv:db-secret@db.internal/ytconv',
  SECRET_KEY: 'a-long-secret-key-for-signing',
  FOO_TOKEN: 'token-secret',
};

let dir: string;
let media: string;
before(async () => {
  dir = await tempDir();
  media = await mediaFile('mp3', { frequency: 440, seconds: 1 });
  for (const name of ['ffmpeg', 'ffprobe', 'yt-dlp']) {
    // Records what it was given next to itself, then fails like a broken tool.
    await writeFile(join(dir, name), '#!/bin/sh\nenv > "$0.env"\nexit 3\n');
    await chmod(join(dir, name), 0o755);
  }
});

/** The environment `tool` saw when `bin/ytconv convert input` ran with it in place of the real one. */
async function environmentOf(tool: 'ffmpeg' | 'ffprobe' | 'yt-dlp', input: string): Promise<Map<string, string>> {
  const variable = { ffmpeg: 'YTCONV_FFMPEG', ffprobe: 'YTCONV_FFPROBE', 'yt-dlp': 'YTCONV_YTDLP' }[tool];
  const env = { ...process.env, ...SECRETS, PYTHONPATH: '/opt/ytconv-plugins', [variable]: join(dir, tool) };
  await exec(YTCONV, ['convert', input, '-o', dir, '--json'], { env, timeout: 30_000 }).catch(() => {});
  const lines = (await readFile(join(dir, `${tool}.env`), 'utf8')).split('\n').filter(Boolean);
  return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('the environment of child processes', () => {
  for (const [tool, input] of [
    ['ffprobe', () => media],
    ['ffmpeg', () => media],
    ['yt-dlp', () => 'https://www.youtube.com/watch?v=dQw4w9WgXcQ'],
  ] as const) {
    it(`gives ${tool} PYTHONPATH and PATH but no secret`, async () => {
      const env = await environmentOf(tool, input());
      assert.equal(env.get('PYTHONPATH'), '/opt/ytconv-plugins');
      assert.equal(env.get('PATH'), process.env.PATH);
      for (const name of Object.keys(SECRETS)) assert.equal(env.get(name), undefined, `${name} reached ${tool}`);
      const leaked = [...env.values()].filter((value) => Object.values(SECRETS).some((s) => value.includes(s)));
      assert.deepEqual(leaked, []);
    });
  }
});

/** The warm yt-dlp: one Python process serves a job's extract and download, and outlives the job. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { convert } from '../../src/pipeline/convert.ts';
import { parseSource } from '../../src/pipeline/sources.ts';
import type { ConvertOptions, Engine, Progress } from '../../src/pipeline/types.ts';
import { WarmYtdlp } from '../../src/pipeline/ytdlp-server.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { childProcesses } from '../helpers/procfs.ts';
import { type Site, startSite } from '../site/server.ts';

let site: Site;
before(async () => {
  site = await startSite();
});
after(() => site.close());

const MP3: ConvertOptions = { format: 'mp3', splitChapters: false, normalize: false };

/** The command line of each of this process's children (and theirs, with `parent`). */
async function commands(parent?: number): Promise<Map<number, string>> {
  const pids = await childProcesses(parent);
  const lines = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
  return new Map(pids.map((pid, i) => [pid, (lines[i] ?? '').replaceAll('\0', ' ')]));
}

function isYtdlp(command: string): boolean {
  return command.includes('yt-dlp');
}

/** Convert `name`, noting while it downloads which yt-dlp processes are this process's children. */
async function convertWatching(engine: Engine, name: string, options = MP3) {
  const seen = new Set<number>();
  const looks: Promise<void>[] = [];
  const onProgress = (p: Progress): void => {
    if (p.phase !== 'downloading') return;
    looks.push(
      commands().then((now) => {
        for (const [pid, command] of now) if (isYtdlp(command)) seen.add(pid);
      }),
    );
  };
  const outDir = await tempDir();
  const result = await convert(parseSource(site.watchUrl(name), { allowFiles: false }), options, {
    engine,
    outDir,
    onProgress,
  });
  await Promise.all(looks);
  return { result, seen: [...seen] };
}

async function server(): Promise<number | undefined> {
  return [...(await commands())].find(([, command]) => command.includes('ytdlp-server.py'))?.[0];
}

async function warmEngine(maxJobs = 10): Promise<{ engine: Engine; warm: WarmYtdlp }> {
  const warm = new WarmYtdlp({ maxJobs });
  const engine = await testEngine({ pluginDir: site.pluginDir });
  return { engine: { ...engine, warmYtdlp: warm }, warm };
}

describe('the warm yt-dlp', () => {
  it('extracts and downloads a job through one Python process, which outlives the job', async () => {
    const { engine, warm } = await warmEngine();
    try {
      const first = await convertWatching(engine, 'plain');
      assert.equal(first.result.files.length, 1);
      const pid = await server();
      assert.ok(pid, 'the warm server is still running');
      // Its forks did the work: the only yt-dlp ever seen as this process's child is the server.
      assert.deepEqual(first.seen, [pid]);
      const second = await convertWatching(engine, 'plain', { ...MP3, normalize: true });
      assert.equal(second.result.files.length, 1);
      assert.deepEqual(second.seen, [pid]);
      assert.equal(await server(), pid);
      assert.deepEqual([...(await commands(pid)).keys()], [], 'no fork outlives its call');
    } finally {
      await warm.close();
    }
    assert.equal(await server(), undefined);
  });

  it('starts another server after one is killed, and the next job succeeds', async () => {
    const { engine, warm } = await warmEngine();
    try {
      await convertWatching(engine, 'plain');
      const killed = await server();
      assert.ok(killed);
      process.kill(killed, 'SIGKILL');
      const { result, seen } = await convertWatching(engine, 'plain');
      assert.equal(result.files.length, 1);
      const restarted = await server();
      assert.ok(restarted && restarted !== killed);
      assert.ok(seen.every((pid) => pid === restarted));
    } finally {
      await warm.close();
    }
  });

  it('starts another server after the set number of jobs', async () => {
    const { engine, warm } = await warmEngine(1);
    try {
      await convertWatching(engine, 'plain');
      const first = await server();
      const { seen } = await convertWatching(engine, 'plain');
      assert.ok(first !== undefined && !seen.includes(first));
      assert.equal(seen.length, 1);
    } finally {
      await warm.close();
    }
  });

  it('cancels a download mid-way and leaves no partial file or process', async () => {
    const { engine, warm } = await warmEngine();
    const controller = new AbortController();
    const outDir = await tempDir();
    try {
      const err = await convert(parseSource(site.watchUrl('slow'), { allowFiles: false }), MP3, {
        engine,
        outDir,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'downloading' && p.fraction !== null && p.fraction > 0.05) controller.abort();
        },
      }).then(
        () => assert.fail('should have been cancelled'),
        (e: { code: string }) => e,
      );
      assert.equal(err.code, 'cancelled');
      const pid = await server();
      assert.ok(pid, 'the server stays for the next job');
      assert.deepEqual([...(await commands(pid)).keys()], []);
      assert.deepEqual(await readdir(outDir), []);
      assert.deepEqual(await readdir(engine.tmpDir), []);
    } finally {
      await warm.close();
    }
  });
});

/**
 * Which of yt-dlp's extractors suit a URL, for refusing links from sites that are not allowed
 * before any job exists. Starting yt-dlp costs ~0.3 s per request, so a long-lived Python helper
 * (extractor-match.py) imports yt_dlp once and answers each URL from its patterns alone, without
 * the network. One helper per yt-dlp (and plugin path), started on first use. It never keeps this
 * process alive, and it exits when its stdin closes, so it never outlives this process either.
 */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { start } from './process.ts';
import { pythonOf } from './tools.ts';
import type { Engine } from './types.ts';

const SCRIPT = fileURLToPath(new URL('./extractor-match.py', import.meta.url));
/** A cold start (import, then compiling the patterns on the first URL) takes ~0.7 s here. */
const ANSWER_TIMEOUT_MS = 5_000;

/**
 * The site an extractor belongs to, as pacing and pauses count them: its name before any `:`
 * (`youtube:tab` and `youtube` are YouTube's).
 */
export function siteOf(extractor: string): string {
  return extractor.split(':')[0] ?? extractor;
}

/** Extractor names in the order yt-dlp tries them, or null when yt-dlp cannot be asked. */
export type ExtractorNames = readonly string[] | null;

type Ask = (url: string) => Promise<ExtractorNames>;

const helpers = new Map<string, Promise<Ask>>();

/**
 * The extractors the configured yt-dlp finds suitable for `url`. Null when its Python module
 * cannot be imported (a binary build, a broken install) or the helper does not answer in time:
 * the caller then lets the link through, and the worker's own yt-dlp run decides.
 */
export async function suitableExtractors(engine: Pick<Engine, 'tools'>, url: string): Promise<ExtractorNames> {
  const key = `${engine.tools.ytdlp}\0${engine.tools.env.PYTHONPATH ?? ''}`;
  let ask = helpers.get(key);
  if (ask === undefined) {
    ask = startHelper(engine.tools.ytdlp, engine.tools.env, () => helpers.delete(key));
    helpers.set(key, ask);
  }
  return (await ask)(url);
}

/** `onCrash` runs when a helper that had started dies, so that the next request starts another. */
async function startHelper(ytdlp: string, env: NodeJS.ProcessEnv, onCrash: () => void): Promise<Ask> {
  const python = await pythonOf(ytdlp);
  if (python === null) return async () => null;
  const running = start('python', python, [SCRIPT, ytdlp], { stdin: true, env, unref: true });

  let state: 'starting' | 'ready' | 'unavailable' = 'starting';
  // Answers come in the order asked; a timed-out asker stays in line so that later answers pair up.
  const waiting: ((names: ExtractorNames) => void)[] = [];
  const giveUp = (): void => {
    for (const settle of waiting.splice(0)) settle(null);
  };
  createInterface({ input: running.stdout }).on('line', (line) => {
    const message = parseLine(line);
    if (state !== 'starting') return waiting.shift()?.(Array.isArray(message.extractors) ? message.extractors : null);
    state = message.ready === true ? 'ready' : 'unavailable';
    if (state === 'unavailable') giveUp();
  });
  running.done
    .catch(() => {})
    .finally(() => {
      if (state === 'ready') onCrash();
      state = 'unavailable';
      giveUp();
    });

  return (url) => {
    if (state === 'unavailable') return Promise.resolve(null);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (names: ExtractorNames): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(names);
      };
      // This timer, not the helper's unreferenced pipes, keeps the process up while it waits.
      const timer = setTimeout(() => settle(null), ANSWER_TIMEOUT_MS);
      waiting.push(settle);
      running.stdin?.write(`${JSON.stringify({ url })}\n`);
    });
  };
}

function parseLine(line: string): { ready?: unknown; extractors?: string[] } {
  try {
    return JSON.parse(line) as { ready?: unknown; extractors?: string[] };
  } catch {
    return {};
  }
}

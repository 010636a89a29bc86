/**
 * Moving finished files from the work directory into the output directory: under a temporary
 * name first, renamed into place when complete, never over an existing file. If any move fails,
 * the files already placed are removed again.
 */
import { constants } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConvertError } from '../errors.ts';
import { diskStem } from './filename.ts';
import type { KnownFacts, Made } from './item.ts';
import { audioStream, probe } from './probe.ts';
import type { AudioFormat, OutputFile, Tools } from './types.ts';

export async function publish(made: Made[], outDir: string, format: AudioFormat, tools: Tools): Promise<OutputFile[]> {
  await mkdir(outDir, { recursive: true });
  const placed: string[] = [];
  try {
    const files: OutputFile[] = [];
    for (const m of made) {
      const { path, suffix } = await place(m.path, outDir, diskStem(m.stem), format);
      placed.push(path);
      const [facts, info] = await Promise.all([m.known ?? measure(path, tools), stat(path)]);
      const name = `${m.stem}${suffix}.${format}`;
      const { title, artist, truncated, unsplit, sponsorblock } = m;
      files.push({ path, name, title, artist, format, ...facts, size: info.size, truncated, unsplit, sponsorblock });
    }
    return files;
  } catch (err) {
    await Promise.all(placed.map((p) => rm(p, { force: true })));
    throw err;
  }
}

/**
 * Move `from` to `<outDir>/<stem>.<ext>`, or `<stem> (2).<ext>`… when that name is taken; returns
 * the path and the suffix added to the stem (`''`, ` (2)`…), which the name people see gets too.
 */
export async function place(
  from: string,
  outDir: string,
  stem: string,
  ext: string,
): Promise<{ path: string; suffix: string }> {
  const staged = join(outDir, `.${stem}.${process.pid}.partial`);
  await moveAcross(from, staged);
  try {
    for (let n = 1; n < 1000; n++) {
      const suffix = n === 1 ? '' : ` (${n})`;
      const target = join(outDir, `${stem}${suffix}.${ext}`);
      // link() fails when the target exists, so two conversions never overwrite each other.
      const taken = await link(staged, target).then(
        () => false,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'EEXIST') return true;
          throw err;
        },
      );
      if (!taken) return { path: target, suffix };
    }
    throw new ConvertError('internal', `Too many files named "${stem}" in the output directory.`);
  } finally {
    await unlink(staged).catch(() => {});
  }
}

/** rename(), or copy + rename when the work directory is on another filesystem. */
async function moveAcross(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, `${to}.copy`, constants.COPYFILE_FICLONE);
    await rename(`${to}.copy`, to);
  }
}

/** What the encode could not tell exactly, read from the file. */
async function measure(path: string, tools: Tools): Promise<KnownFacts> {
  const facts = await probe(tools, path);
  return { duration: facts.duration ?? 0, bitrate: audioStream(facts)?.bitrate ?? facts.bitrate ?? 0 };
}

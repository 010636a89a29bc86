/**
 * `make` builds the ytconv command into one bundle (var/cli/), which bin/ytconv runs while no
 * source is newer than it. Loading ~40 modules of ours and ~95 of zod's one by one was most of
 * the CLI's time before its first child (issue 9: ≤ 150 ms); one file with its chunks loads in a
 * fraction of that. Only our sources and zod (which nothing else imports) are bundled: the other
 * packages stay in node_modules, where some of them read their own files at run time (BullMQ's
 * Lua scripts, better-sqlite3's addon).
 *
 * The bundle is built beside, then renamed into place, so a ytconv starting meanwhile sees the old
 * one or the new one, never half of one. Failing to build is no error: bin/ytconv then runs the
 * sources, as it does for a fresh clone before `make`.
 */
import { readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'var', 'cli');
const BUNDLED_PACKAGES = /^zod(\/|$)/;

/** Every package but zod is imported from node_modules at run time. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('node:') || BUNDLED_PACKAGES.test(args.path)
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

/**
 * Our modules find files beside them (the Python helpers, the page, var/) through import.meta;
 * in the bundle, each such expression still names its source file's place, as a path relative to
 * the bundle, so a moved checkout keeps working.
 */
const sourcePlaces: Plugin = {
  name: 'source-places',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, async (args) => {
      const fromBundle = relative(OUT, args.path);
      const dirFromBundle = relative(OUT, dirname(args.path));
      const contents = (await readFile(args.path, 'utf8'))
        .replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`)
        .replaceAll('import.meta.dirname', `(import.meta.dirname + ${JSON.stringify(`/${dirFromBundle}`)})`)
        .replaceAll('import.meta.filename', `(import.meta.dirname + ${JSON.stringify(`/${fromBundle}`)})`);
      return { contents, loader: 'ts' };
    });
  },
};

async function main(): Promise<void> {
  const staging = `${OUT}.${process.pid}`;
  try {
    await build({
      entryPoints: { main: join(ROOT, 'src', 'cli', 'main.ts') },
      outdir: staging,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      logLevel: 'warning',
      plugins: [externalPackages, sourcePlaces],
    });
    await rm(OUT, { recursive: true, force: true });
    await rename(staging, OUT);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    console.error(`ytconv: could not bundle the CLI (${(err as Error).message}); bin/ytconv runs the sources`);
  }
}

await main();

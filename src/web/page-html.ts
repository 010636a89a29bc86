/**
 * The page's HTML, made once at start: index.html with a `<link rel="modulepreload">` for every
 * module its entry script imports, directly or not. Without them the browser discovers the ~30
 * modules one import level at a time, a round trip each; with them it fetches all at once. The
 * list is read from the modules' own import statements, so it never goes stale, and names only
 * our own files under /assets/, which the page's CSP (`script-src 'self'`) already allows.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const ENTRY = 'app.js';
/** Static imports and re-exports of a sibling module (biome keeps every statement `;`-ended). */
const IMPORT = /^\s*(?:import|export)\b[^;]*?\bfrom\s*'\.\/([\w-]+\.js)'|^\s*import\s*'\.\/([\w-]+\.js)'/gm;

export interface PageHtml {
  html: string;
  /** A strong validator of `html`, for revalidation by ETag. */
  etag: string;
}

export async function pageHtml(publicDir: string): Promise<PageHtml> {
  const template = await readFile(join(publicDir, 'index.html'), 'utf8');
  const entry = `<script type="module" src="/assets/${ENTRY}"></script>`;
  if (!template.includes(entry)) throw new Error(`index.html does not load ${ENTRY} as expected: ${entry}`);
  const modules = await importedModules(publicDir, ENTRY);
  const links = modules.map((name) => `<link rel="modulepreload" href="/assets/${name}">`);
  const html = template.replace(entry, [entry, ...links].join('\n    '));
  return { html, etag: `"${createHash('sha256').update(html).digest('base64url').slice(0, 22)}"` };
}

/** Every module `entry` imports, directly or through others, in the order first found; not `entry` itself. */
export async function importedModules(dir: string, entry: string): Promise<string[]> {
  const seen = new Set([entry]);
  const queue = [entry];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    const source = await readFile(join(dir, name), 'utf8');
    for (const match of source.matchAll(IMPORT)) {
      const imported = match[1] ?? match[2];
      if (imported === undefined || seen.has(imported)) continue;
      seen.add(imported);
      queue.push(imported);
    }
  }
  return [...seen].slice(1);
}

/** Engines for tests: the same tool resolution as users get, pointed at the stand-in site. */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import type { Engine } from '../../src/pipeline/types.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface TestEngineOptions {
  /** The stand-in site's plugin, put on PYTHONPATH; null to leave it to the configuration. */
  pluginDir: string | null;
  /** Settings read as the environment, over the test process's own. */
  env?: NodeJS.ProcessEnv;
  policy?: Partial<Engine['policy']>;
  limits?: Partial<Engine['limits']>;
  tools?: Partial<Engine['tools']>;
}

/** An engine that allows the stand-in site (on loopback) and has a private temp directory. */
export async function testEngine(opts: TestEngineOptions): Promise<Engine> {
  const base = loadConfig({ ...process.env, ...opts.env }, ROOT).engine;
  const pythonPath = [opts.pluginDir, base.tools.env.PYTHONPATH].filter(Boolean).join(':');
  return {
    ...base,
    tools: { ...base.tools, ...opts.tools, env: { ...base.tools.env, PYTHONPATH: pythonPath } },
    policy: { allowedSites: '*', allowPrivateAddresses: true, ...opts.policy },
    limits: { ...base.limits, ...opts.limits },
    tmpDir: await tempDir('ytconv-test-tmp-'),
  };
}

let parent: string | undefined;

/** One directory per test process, holding all of its temporary ones; removed when it exits. */
function testTmp(): string {
  if (parent === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'ytconv-tests-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    parent = made;
  }
  return parent;
}

export function tempDir(prefix = 'ytconv-test-out-'): Promise<string> {
  return mkdtemp(join(testTmp(), prefix));
}

/** Children die with their worker, and a later worker sweeps what a dead one left, and only that. */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { makeWorkDir, OWNER_VARIABLE, sweepLeftovers } from '../../src/pipeline/leftovers.ts';
import { start } from '../../src/pipeline/process.ts';
import { tempDir } from '../helpers/engine.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'owner.ts');

interface Owner {
  proc: ChildProcess;
  /** Its owner token, its work directory and the pid of the long child it started. */
  token: string;
  dir: string;
  child: number;
}

const started: ChildProcess[] = [];
after(() => {
  for (const proc of started) proc.kill('SIGKILL');
});

/** A stand-in worker (fixtures/owner.ts) with a work directory in `tmpDir` and a long child. */
async function startOwner(tmpDir: string): Promise<Owner> {
  const proc = spawn(process.execPath, [FIXTURE, tmpDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(proc);
  const [line] = (await once(createInterface({ input: proc.stdout as NodeJS.ReadableStream }), 'line')) as [string];
  return { proc, ...(JSON.parse(line) as Omit<Owner, 'proc'>) };
}

async function sigkill(proc: ChildProcess): Promise<void> {
  const exited = once(proc, 'exit');
  proc.kill('SIGKILL');
  await exited;
}

/** Whether `pid` runs: a zombie is dead, only not yet reaped. */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** Polls `check` until it holds; the milliseconds that took. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<number> {
  const since = Date.now();
  while (!(await check())) {
    if (Date.now() - since > timeoutMs) assert.fail(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - since;
}

/** The pid of `owner`'s watchdog, or null while it has none. */
async function watchdogOf(owner: number): Promise<number | null> {
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== owner || !(await running(pid))) continue;
    if ((await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).includes('ytconv watchdog')) return pid;
  }
  return null;
}

describe('children of a worker that is SIGKILLed', () => {
  it('are killed within a second', async (t) => {
    const owner = await startOwner(await tempDir());
    assert.ok(await running(owner.child));
    owner.proc.kill('SIGKILL');
    const ms = await until(async () => !(await running(owner.child)), 'the child ending');
    t.diagnostic(`the child was gone ${ms} ms after its worker was SIGKILLed`);
    assert.ok(ms < 1000, `took ${ms} ms`);
  });

  it('are killed even when the watchdog itself was killed before', async () => {
    const owner = await startOwner(await tempDir());
    const first = await watchdogOf(owner.proc.pid ?? 0);
    assert.ok(first, 'the worker has a watchdog');
    process.kill(first, 'SIGKILL');
    await until(async () => ![null, first].includes(await watchdogOf(owner.proc.pid ?? 0)), 'a new watchdog');
    await sigkill(owner.proc);
    await until(async () => !(await running(owner.child)), 'the child ending');
  });
});

describe('sweepLeftovers', () => {
  it("removes a dead owner's work dirs and kills its processes, and touches nothing else", async () => {
    const tmpDir = await tempDir('ytconv-sweep-');
    const dead = await startOwner(tmpDir);
    await sigkill(dead.proc);
    // One the watchdog missed (say, started in the moment before it was told), carrying the mark.
    const orphan = spawn('/bin/sleep', ['300'], { env: { [OWNER_VARIABLE]: dead.token }, stdio: 'ignore' });
    const alive = await startOwner(tmpDir);
    const mine = await makeWorkDir(tmpDir);
    const myChild = start('ffmpeg', '/bin/sleep', ['300'], { env: {} });
    myChild.done.catch(() => {});
    const unmarked = spawn('/bin/sleep', ['300'], { stdio: 'ignore' });
    // Our own pid with another start time: the pid was reused, so that owner is dead too.
    const reused = join(tmpDir, `ytconv-work-${process.pid}.1-abcdef`);
    const strangers = ['ytconv-stack-abc123', 'ytconv-work-notes', 'ytconv-workshop'].map((n) => join(tmpDir, n));
    await Promise.all([reused, ...strangers].map((dir) => mkdir(dir)));
    try {
      const swept = await sweepLeftovers(tmpDir);
      assert.equal(swept.dirs, 2);
      assert.ok(swept.processes >= 1, `killed ${swept.processes}`);
      await until(async () => !(await running(orphan.pid ?? 0)), "the dead owner's orphan ending");
      assert.deepEqual(
        (await readdir(tmpDir)).sort(),
        [alive.dir, mine, ...strangers].map((p) => p.slice(tmpDir.length + 1)).sort(),
      );
      for (const pid of [alive.child, myChild.child.pid ?? 0, unmarked.pid ?? 0])
        assert.ok(await running(pid), `${pid} runs`);
    } finally {
      myChild.kill();
      unmarked.kill('SIGKILL');
      await sigkill(alive.proc);
      await rm(tmpDir, { recursive: true, force: true });
    }
  });
});

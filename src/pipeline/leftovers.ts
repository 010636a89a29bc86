/**
 * Cleaning up after a worker that died without cleaning up itself (SIGKILL, a crash, a power cut).
 * Everything a conversion leaves running or lying around is marked with its owner: this Node
 * process, named by pid and start time, so that a pid the kernel has since handed to another
 * process is not mistaken for it. Child processes carry the owner in their environment
 * (process.ts puts it there), work directories in their names. A later worker sweeps what a dead
 * owner left, and touches nothing whose owner it cannot prove dead, nor anything unmarked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The environment variable that marks a child process with its owner. */
export const OWNER_VARIABLE = 'YTCONV_OWNER';

interface Owner {
  pid: number;
  /** Clock ticks after boot at which the process started (/proc/PID/stat field 22); 0 when unknown. */
  start: number;
}

const PROCFS = existsSync('/proc/self/stat');
const WORK_PREFIX = 'ytconv-work-';
/** `<pid>.<start>`, as in the environment and in work directory names. */
const TOKEN = /^(\d+)\.(\d+)$/;
/** A work directory: the owner's token, then the six characters mkdtemp adds. */
const WORK_DIR = new RegExp(`^${WORK_PREFIX}(\\d+\\.\\d+)-[A-Za-z0-9]{6}$`);

let self: string | undefined;

/** This process as an owner: `<pid>.<start>`. */
export function ownerToken(): string {
  self ??= `${process.pid}.${PROCFS ? startTime(readFileSync('/proc/self/stat', 'utf8')) : 0}`;
  return self;
}

/**
 * A private work directory for one conversion, named after its owner. In the name rather than in
 * a file inside it, so that no moment exists in which the directory is there but its owner is not.
 */
export function makeWorkDir(tmpDir: string): Promise<string> {
  return mkdtemp(join(tmpDir, `${WORK_PREFIX}${ownerToken()}-`));
}

/** What a dead owner left: its work directories in `tmpDir` removed, its processes SIGKILLed. */
export async function sweepLeftovers(tmpDir: string): Promise<{ dirs: number; processes: number }> {
  // Processes first: they may still be writing into the directories.
  const processes = await sweepProcesses();
  const dirs = await sweepDirs(tmpDir);
  return { dirs, processes };
}

async function sweepDirs(tmpDir: string): Promise<number> {
  let swept = 0;
  for (const name of await readdir(tmpDir)) {
    const owner = parseToken(WORK_DIR.exec(name)?.[1]);
    if (owner && !(await mayBeAlive(owner))) {
      await rm(join(tmpDir, name), { recursive: true, force: true });
      swept++;
    }
  }
  return swept;
}

/** Without /proc (not Linux) a process's environment cannot be read, so none is swept. */
async function sweepProcesses(): Promise<number> {
  if (!PROCFS) return 0;
  let killed = 0;
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const owner = await ownerOf(pid);
    if (owner && !(await mayBeAlive(owner)) && kill(pid)) killed++;
  }
  return killed;
}

/** The owner in a process's environment; null when it has none, or is not ours to read, or is gone. */
async function ownerOf(pid: number): Promise<Owner | null> {
  const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
  const marker = environ.split('\0').find((entry) => entry.startsWith(`${OWNER_VARIABLE}=`));
  return parseToken(marker?.slice(OWNER_VARIABLE.length + 1));
}

function parseToken(token: string | undefined): Owner | null {
  const match = TOKEN.exec(token ?? '');
  return match ? { pid: Number(match[1]), start: Number(match[2]) } : null;
}

/**
 * False only when the owner is provably gone: no such pid, a pid now held by a process that
 * started at another time, or a zombie. Without /proc only a missing pid proves it.
 */
async function mayBeAlive(owner: Owner): Promise<boolean> {
  if (!PROCFS) return pidExists(owner.pid);
  const stat = await readFile(`/proc/${owner.pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return false;
  return statFields(stat)[0] !== 'Z' && startTime(stat) === owner.start;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function kill(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** The fields after the command name, which may itself hold spaces and parentheses. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function startTime(stat: string): number {
  // Field 22 of the whole line; the fields after the name start at field 3.
  return Number(statFields(stat)[22 - 3]);
}

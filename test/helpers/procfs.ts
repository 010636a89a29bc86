/** Which processes exist, read from /proc: how tests prove that no child outlived its work. */
import { readdir, readFile } from 'node:fs/promises';

/** Processes whose command line mentions `needle` (our children carry the work directory). */
export async function processesMentioning(needle: string): Promise<number[]> {
  return scanProcesses(async (pid) => (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(needle));
}

/** Live processes whose parent is `parent` (this test process), but for its watchdog, which lives as long as it. */
export async function childProcesses(parent = process.pid): Promise<number[]> {
  return scanProcesses(async (pid) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) !== parent || state === 'Z') return false;
    return !(await readFile(`/proc/${pid}/cmdline`, 'utf8')).startsWith('/bin/sh\0-c\0# ytconv watchdog');
  });
}

async function scanProcesses(match: (pid: number) => Promise<boolean>): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (/^\d+$/.test(entry) && (await match(Number(entry)).catch(() => false))) pids.push(Number(entry));
  }
  return pids;
}

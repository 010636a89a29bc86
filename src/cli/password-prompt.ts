/** Asking for a new password on the terminal without echo, as Django's createsuperuser does. */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

const MIN_PASSWORD = 8;

/** Ctrl-C at a prompt. */
export class Interrupted extends Error {}

export function passwordProblem(password: string): string | null {
  return password.length < MIN_PASSWORD ? `a password needs at least ${MIN_PASSWORD} characters` : null;
}

/** Ask until both entries match and are long enough. */
export async function askNewPassword(): Promise<string> {
  for (;;) {
    const password = await askHidden('Password: ');
    const again = await askHidden('Password (again): ');
    const problem = password !== again ? "the passwords didn't match" : passwordProblem(password);
    if (problem === null) return password;
    process.stderr.write(`Error: ${problem}.\n`);
  }
}

/** One line from the terminal, not echoed: readline writes through an output that drops the typing. */
async function askHidden(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, encoding, callback) {
      if (!muted) process.stdout.write(chunk, encoding);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const stop = new AbortController();
  rl.on('SIGINT', () => stop.abort());
  try {
    const answer = rl.question(prompt, { signal: stop.signal });
    muted = true;
    return await answer;
  } catch {
    throw new Interrupted();
  } finally {
    muted = false;
    process.stdout.write('\n');
    rl.close();
  }
}

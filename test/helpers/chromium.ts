/** Debian's headless Chromium, driven by playwright-core, for the browser tests. */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** For `describe(…, { skip })`: false, or why the browser tests cannot run here. */
export const skipWithoutChromium: string | false = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}: make test installs it as root (Debian/Ubuntu: apt-get install chromium)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

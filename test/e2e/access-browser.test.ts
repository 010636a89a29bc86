/**
 * A private instance (YTCONV_ACCESS=login) in headless Chromium against a real web process: the
 * page sends a visitor to the sign-in form, and after signing in as a user (made as the CLI makes
 * them) it works as before, back at the address first asked for; the API refuses callers without
 * the session. No worker runs, so a job stays queued.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createAdmin } from '../../src/db/admins.ts';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { type Service, startService } from '../helpers/processes.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

describe('a private instance in Chromium', { skip: skipWithoutChromium }, () => {
  let stack: Stack;
  let service: Service;
  let browser: Browser;
  let page: Page;

  before(async () => {
    stack = await startStack();
    service = await startService(stack, { workers: 0, env: { YTCONV_ACCESS: 'login' } });
    await createAdmin(stack.services.db, 'uma', 'correct horse', { role: 'user' });
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await stack?.close();
  });

  it('refuses the API to callers without a session', async () => {
    const res = await service.fetch('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: stack.site.watchUrl('plain') }),
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'unauthorized');
    assert.equal((await service.fetch('/api/health')).status, 200, 'the health check stays open');
  });

  it('sends a visitor to sign in, then back to the page asked for, which works as before', async () => {
    await page.goto(`${service.url}/?format=opus`);
    await page.waitForURL(`${service.url}/login?next=${encodeURIComponent('/?format=opus')}`);
    await page.getByLabel('Username').fill('uma');
    await page.getByLabel('Password').fill('wrong horse');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${service.url}/?format=opus`);
    await page.getByRole('link', { name: 'Sign out uma' }).waitFor();

    await page.getByTestId('url-input').fill(stack.site.watchUrl('plain'));
    await page.getByTestId('submit').click();
    await page.waitForURL(/\/jobs\/[^/]+$/);
    await page.locator('[data-testid="job-status"][data-status="queued"]').waitFor();
    const id = page.url().split('/').at(-1) ?? '';
    assert.equal((await stack.jobs.get(id))?.options.format, 'opus');
  });

  it('signs out, after which the page asks to sign in again', async () => {
    await page.getByRole('link', { name: 'Sign out uma' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${service.url}/login`);
    await page.goto(`${service.url}/`);
    await page.waitForURL(/\/login\?next=/);
  });
});

/**
 * The API's description: the OpenAPI document names every operation and documents each error
 * answer by the codes ERROR_CODES gives that status; the docs page renders it in Chromium under
 * the app's CSP with everything served by the app itself.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { ERROR_CODES } from '../../src/errors.ts';
import type { JobsApi } from '../../src/jobs/types.ts';
import { buildApp } from '../../src/web/app.ts';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.ts';
import { tempDir } from '../helpers/engine.ts';

interface Operation {
  operationId?: string;
  responses: Record<string, { content?: Record<string, { examples?: Record<string, { value: unknown }> }> }>;
}
type Paths = Record<string, Record<string, Operation>>;

/** Reading the docs never touches a job. */
const untouchable = new Proxy({} as JobsApi, {
  get: (_target, name) => () => assert.fail(`${String(name)} must not be called`),
});

let app: FastifyInstance;
let paths: Paths;

before(async () => {
  app = await buildApp({
    jobs: untouchable,
    maxUploadBytes: 1000,
    uploadDir: await tempDir('ytconv-docs-uploads-'),
    health: async () => ({ status: 'ok', checks: { web: 'ok', redis: 'ok', database: 'ok' } }),
  });
  paths = (await app.inject({ url: '/api/openapi.json' })).json().paths;
});
after(() => app.close());

const operations = () =>
  Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

describe('the OpenAPI document', () => {
  it('describes the health check, its 200 and its 503 with the same shape', () => {
    const health = operations().find(({ op }) => op.operationId === 'getHealth');
    assert.ok(health, 'GET /api/health is in the document');
    assert.deepEqual(Object.keys(health.op.responses ?? {}).sort(), ['200', '503']);
  });

  it('names every operation with a unique camelCase operationId', () => {
    const ids = operations().map(({ name, op }) => {
      assert.match(op.operationId ?? '', /^[a-z][a-zA-Z]*$/, name);
      return op.operationId;
    });
    assert.equal(new Set(ids).size, ids.length, ids.join(', '));
    assert.ok(ids.includes('listJobs'));
  });

  it('documents each error status with examples whose codes ERROR_CODES gives that status', () => {
    for (const { name, op } of operations()) {
      const errors = Object.entries(op.responses).filter(([status]) => !/^[23]/.test(status));
      assert.ok(errors.length > 0, `${name} documents no error`);
      for (const [status, response] of errors) {
        if (status === '416') continue; // A bare status with no body: the range lies beyond the file.
        if (op.operationId === 'getHealth') continue; // Its 503 is the health report, not an ApiError.
        assert.match(status, /^\d{3}$/, `${name}: a range (${status}) instead of a status`);
        const examples = Object.values(response.content?.['application/json']?.examples ?? {});
        assert.ok(examples.length > 0, `${name} ${status} has no example`);
        for (const { value } of examples) {
          const { code } = (value as { error: { code: keyof typeof ERROR_CODES } }).error;
          assert.equal(ERROR_CODES[code], Number(status), `${name} ${status}: ${code}`);
        }
      }
    }
  });
});

describe('the docs page', () => {
  it('has the page’s own CSP, not a looser one', async () => {
    const docs = await app.inject({ url: '/api/docs' });
    assert.equal(docs.statusCode, 200);
    const page = await app.inject({ url: '/' });
    assert.equal(docs.headers['content-security-policy'], page.headers['content-security-policy']);
  });
});

describe('the docs page in Chromium', { skip: skipWithoutChromium }, () => {
  let browser: Browser;
  let origin: string;

  before(async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  after(() => browser?.close());

  it('renders every operation, with no CSP violation and no request leaving the app', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    const elsewhere: string[] = [];
    // Chromium reports every CSP violation on the console.
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) violations.push(message.text());
    });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.origin !== origin) elsewhere.push(request.url());
    });
    await page.goto(`${origin}/api/docs`);
    const shown = page.locator('.opblock-summary-operation-id');
    await shown.first().waitFor();
    const ids = operations().map(({ op }) => op.operationId);
    assert.deepEqual((await shown.allTextContents()).sort(), ids.sort());

    // An operation opened shows its error statuses with their example bodies.
    await page.locator('#operations-jobs-createJob .opblock-summary').click();
    const unsupported = page.locator('#operations-jobs-createJob .response[data-code="415"]');
    await unsupported.getByText('unsupported_media_type').first().waitFor();

    assert.deepEqual(violations, []);
    assert.deepEqual(elsewhere, []);
    await page.close();
  });

  it('is linked from the page footer', async () => {
    const page = await browser.newPage();
    await page.goto(origin);
    await page.locator('footer').getByRole('link', { name: 'API' }).click();
    await page.locator('.opblock').first().waitFor();
    assert.equal(new URL(page.url()).pathname, '/api/docs');
    await page.close();
  });
});

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { chromium as playwright, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUTH, buildTestApp } from '../support/api';
import { eventually, startStack, type Stack } from '../support/stack';

// What an operator sees: the run's real Temporal UI, in Debian's Chromium, reading our
// encrypted summary through the API's /codec endpoint set the way a person sets it.

function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path): path is string => !!path && existsSync(path));
}

const chromium = findChromium();
if (!chromium) console.warn('test/ui: Chromium not found (apt-get install chromium, or set CHROMIUM_PATH); skipping the Temporal UI browser test');

const uiUrl = inject('temporalUiUrl');
let stack: Stack;
let app: FastifyInstance;
let codecUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (!chromium) return;
  stack = await startStack();
  // The codec over a real port, open to the UI's origin, as an operator runs it locally.
  app = (await buildTestApp(stack, { codecRequiresToken: false, codecCorsOrigins: [uiUrl] })) as unknown as FastifyInstance;
  codecUrl = `${await app.listen({ host: '127.0.0.1', port: 0 })}/codec`;
  browser = await playwright.launch({ executablePath: chromium, headless: true });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await stack?.stop();
});

async function startSync() {
  const id = randomUUID().slice(0, 8);
  const body = {
    name: `ui-${id}`,
    topology: 'oneway',
    region: 'cn-hangzhou',
    source: { instanceId: `r-ui-src-${id}`, region: 'cn-hangzhou', password: `src-${id}-Pa55` },
    destination: { instanceId: `r-ui-dst-${id}`, region: 'cn-hangzhou', password: `dst-${id}-Pa55` },
  };
  for (const e of [body.source, body.destination]) {
    await stack.admin('instances', { instanceId: e.instanceId, password: e.password, engineVersion: '5.0', architecture: 'standard', region: e.region, edition: 'enterprise', maxmemoryPolicy: 'noeviction' });
  }
  const res = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: body });
  expect(res.statusCode).toBe(202);
  const workflowId: string = res.json().id;
  const dtsJobId = await eventually(async () => (await app.inject({ method: 'GET', url: `/v1/syncs/${workflowId}`, headers: AUTH })).json().dtsJobId as string | undefined, { what: 'a DTS job id' });
  return { workflowId, dtsJobId, source: body.source.instanceId, destination: body.destination.instanceId };
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `/tmp/ui-${name}.png`, fullPage: true });
}

describe('Temporal UI', () => {
  it.skipIf(!chromium)('finds a sync by its DTS job id and shows its decoded summary and phase', async () => {
    const sync = await startSync();
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    // The UI keeps the codec endpoint from its Codec Server settings in local storage.
    await context.addInitScript((endpoint) => window.localStorage.setItem('endpoint', JSON.stringify(endpoint)), codecUrl);
    const page = await context.newPage();
    try {
      await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`DtsJobId="${sync.dtsJobId}"`)}`);
      const link = page.getByRole('link', { name: sync.workflowId });
      await link.first().waitFor({ timeout: 15_000 });
      await shot(page, 'list');
      await link.first().click();
      await page.waitForURL(/\/workflows\/[^/]+\/[^/]+/);
      await page.getByText(sync.source).first().waitFor({ timeout: 15_000 });
      await shot(page, 'workflow');
      const text = await page.locator('body').innerText();
      console.log(text.slice(0, 3000));
    } finally {
      await context.close();
    }
  });
});

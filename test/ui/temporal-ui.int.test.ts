import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium as playwright, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUTH, buildTestApp } from '../support/api';
import { eventually, startStack, type Stack } from '../support/stack';
import { registerPair } from '../support/instances';
import type { App } from '../../api/app';

// What an operator sees: the run's real Temporal UI, in Debian's Chromium, reading our
// encrypted summary through the API's /codec endpoint set the way a person sets it.

function findChromium(): string | undefined {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/lib/chromium/chromium',
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ];
  return candidates.find((path): path is string => !!path && existsSync(path));
}

const chromium = findChromium();
if (!chromium)
  console.warn(
    'test/ui: Chromium not found (apt-get install chromium, or set CHROMIUM_PATH); skipping the Temporal UI browser test',
  );

const uiUrl = inject('temporalUiUrl');
let stack: Stack;
let app: App;
let codecUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (!chromium) return;
  stack = await startStack();
  // The codec over a real port, open to the UI's origin, as an operator runs it locally.
  app = await buildTestApp(stack, { codecRequiresToken: false, codecCorsOrigins: [uiUrl] });
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
  await registerPair(stack, body);
  const res = await app.inject({ method: 'POST', url: '/v1/syncs', headers: AUTH, payload: body });
  expect(res.statusCode).toBe(202);
  const workflowId: string = res.json().id;
  // Settled in a phase, so the page shows one stable story.
  const status = await eventually(
    async () => {
      const s = (await app.inject({ method: 'GET', url: `/v1/syncs/${workflowId}`, headers: AUTH })).json();
      return s.phase === 'synchronizing' && s.dtsJobId ? s : undefined;
    },
    { what: 'synchronizing with a DTS job id', timeoutMs: 60_000 },
  );
  return {
    workflowId,
    dtsJobId: status.dtsJobId as string,
    summary: `${body.source.instanceId} → ${body.destination.instanceId} · ${body.name}`,
  };
}

async function openContext(withCodec: boolean): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // A missing element fails with its name, well inside the test's own timeout.
  context.setDefaultTimeout(8_000);
  // Where the UI's Codec Server setting lives: local storage key `endpoint`, a JSON string.
  if (withCodec)
    await context.addInitScript({
      content: `localStorage.setItem('endpoint', ${JSON.stringify(JSON.stringify(codecUrl))});`,
    });
  return context;
}

const mainText = (page: Page) => page.locator('main').innerText();

/** The UI renders summary, details and current details as markdown, each in an iframe of its own. */
async function renderedMarkdown(page: Page): Promise<string> {
  const frames = page.frames().filter((frame) => frame !== page.mainFrame());
  return (
    await Promise.all(
      frames.map((frame) =>
        frame
          .locator('body')
          .innerText()
          .catch(() => ''),
      ),
    )
  ).join('\n');
}

describe('Temporal UI', () => {
  it.skipIf(!chromium)(
    'finds a sync by its DTS job id and shows its decoded summary and phase',
    { timeout: 120_000 },
    async () => {
      const sync = await startSync();
      const context = await openContext(true);
      const page = await context.newPage();
      try {
        await page.goto(
          `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`DtsJobId="${sync.dtsJobId}"`)}`,
        );
        const link = page.getByRole('link', { name: sync.workflowId, exact: true });
        await link.waitFor({ timeout: 15_000 });
        expect(await page.getByRole('link', { name: /^redis-sync\./ }).count()).toBe(1);
        await page.screenshot({ path: '/tmp/ui-list.png' });

        await link.click();
        await page.getByRole('tab', { name: 'User Metadata' }).click();
        // Summary and current details are encrypted payloads: readable only through our codec.
        await expect.poll(() => renderedMarkdown(page), { timeout: 10_000 }).toContain(sync.summary);
        await expect
          .poll(() => renderedMarkdown(page), { timeout: 10_000 })
          .toContain(`synchronizing · DTS ${sync.dtsJobId}`);
        await page.screenshot({ path: '/tmp/ui-workflow.png' });

        await page.getByRole('tab', { name: 'Search Attributes' }).click();
        await expect.poll(() => mainText(page), { timeout: 10_000 }).toContain('"SyncPhase"');
        const attributes = await mainText(page);
        expect(attributes).toContain(`"DtsJobId": "${sync.dtsJobId}"`);
        expect(attributes).toContain('"SyncPhase": "synchronizing"');
      } finally {
        await context.close();
      }
    },
  );

  it.skipIf(!chromium)('shows no summary to a UI without the codec', { timeout: 120_000 }, async () => {
    const sync = await startSync();
    const context = await openContext(false);
    const page = await context.newPage();
    try {
      const { runId } = await stack.client.workflow.getHandle(sync.workflowId).describe();
      await page.goto(
        `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(sync.workflowId)}/${runId}/user-metadata`,
      );
      // Settled: the UI got the (encrypted) current details back and could not read them.
      await expect.poll(() => renderedMarkdown(page), { timeout: 10_000 }).toContain('No Current Details');
      await page.screenshot({ path: '/tmp/ui-no-codec.png' });
      const text = await mainText(page);
      expect(text).toContain('No summary available');
      expect(text).not.toContain(sync.summary);
      expect(await renderedMarkdown(page)).not.toContain(sync.summary);
    } finally {
      await context.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { followDemoSetup } from '../../scripts/demo';
import { buildTestApp } from '../support/api';
import { startStack, TEST_TOKEN, type Stack } from '../support/stack';
import type { App } from '../../api/app';

let stack: Stack;
let app: App;
let api: string;
beforeAll(async () => {
  stack = await startStack();
  app = await buildTestApp(stack);
  api = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

describe('npm run demo', () => {
  it('prints the preflight report, with the demo target’s warning, before the progress line', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    const write = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    try {
      const status = await followDemoSetup(api, TEST_TOKEN, stack.emulatorUrl);
      expect(status.phase).toBe('synchronizing');
    } finally {
      log.mockRestore();
      write.mockRestore();
    }
    const reportAt = lines.findIndex((l) => l.startsWith('preflight passed'));
    const warningAt = lines.findIndex((l) => /warn\s+direct-connection: .*r-demo-target-0002/.test(l));
    const progressAt = lines.findIndex(
      (l) => l.includes('[synchronizing]') || l.includes('[purchasing]') || l.includes('[waiting-'),
    );
    expect(reportAt).toBeGreaterThanOrEqual(0);
    expect(warningAt).toBeGreaterThan(reportAt);
    expect(progressAt).toBeGreaterThan(warningAt);
  });
});

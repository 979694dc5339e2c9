import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { renderDashboard, type Dashboard } from './scripts/dashboard-render';
const [dataFile, out] = process.argv.slice(2);
const { window, data } = JSON.parse(readFileSync(dataFile!, 'utf8'));
const dashboard = JSON.parse(readFileSync('deploy/grafana/dashboards/redis-dts-sync.json', 'utf8')) as Dashboard;
const html = renderDashboard(dashboard, data, { width: 1600, window, caption: ['re-render test'] });
void (async () => {
  const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
  const p = await b.newPage({ viewport: { width: 1600, height: 900 } });
  await p.setContent(html);
  await p.screenshot({ path: out!, fullPage: true });
  await b.close();
})();

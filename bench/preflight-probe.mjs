// POST /v1/syncs/preflight at RATE a second for SECONDS (open loop), a new pair each time: the preflight alone (its
// reads), nothing started or bought. node bench/preflight-probe.mjs http://127.0.0.1:29000,... 10 20 TOKEN_FILE
import { readFileSync } from 'node:fs';

const [apis, rate, seconds] = [process.argv[2].split(','), Number(process.argv[3]), Number(process.argv[4])];
const token = readFileSync(process.argv[5], 'utf8').trim();
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const run = Date.now();
const ms = [];
const statuses = {};
let errors = 0;
let n = 0;
const pending = [];
while (Date.now() - run < seconds * 1000) {
  const i = n++;
  const endpoint = (side) => ({
    instanceId: `r-probe-${side}-${run}-${i}`,
    region: 'cn-hangzhou',
    password: `${side}-Pa55word`,
  });
  const body = {
    name: `probe-${i}`,
    topology: 'bidirectional',
    region: 'cn-hangzhou',
    source: endpoint('src'),
    destination: endpoint('dst'),
  };
  const sent = performance.now();
  pending.push(
    fetch(`${apis[i % apis.length]}/v1/syncs/preflight`, { method: 'POST', headers, body: JSON.stringify(body) }).then(
      async (res) => {
        await res.text();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        ms.push(performance.now() - sent);
      },
      () => errors++,
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, run + (n * 1000) / rate - Date.now())));
}
await Promise.all(pending);
ms.sort((a, b) => a - b);
const q = (p) => Math.round(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]);
console.log(JSON.stringify({ requests: ms.length, errors, statuses, p50: q(0.5), p95: q(0.95), p99: q(0.99) }));

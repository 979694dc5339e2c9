// GET one at RATE a second spread over the APIs for SECONDS, ids from GET /v1/syncs (running setups only), no POST
// before it: node bench/get-one-probe.mjs http://127.0.0.1:29000,http://127.0.0.1:29001 100 15 TOKEN_FILE
// A sixth argument is a path asked instead of a setup each time (GET list: '/v1/syncs?phase=synchronizing').
// `windowsP99`: the p99 of each 5 s of the run (the first holds a cold view cache's first listing).
const [apis, rate, seconds] = [process.argv[2].split(','), Number(process.argv[3]), Number(process.argv[4])];
const token = (await import('node:fs')).readFileSync(process.argv[5], 'utf8').trim();
const path = process.argv[6];
const headers = { authorization: `Bearer ${token}` };
let ids = [],
  tok;
do {
  const r = await (
    await fetch(`${apis[0]}/v1/syncs?pageSize=100${tok ? `&pageToken=${tok}` : ''}`, { headers })
  ).json();
  ids.push(...r.items.filter((i) => i.workflowStatus === 'RUNNING').map((i) => i.id));
  tok = r.nextPageToken;
} while (tok);
const ms = [];
const byWindow = [];
let errors = 0,
  n = 0;
const t0 = Date.now();
const pending = [];
while (Date.now() - t0 < seconds * 1000) {
  const i = n++;
  const api = apis[i % apis.length];
  const s = performance.now();
  const window = Math.floor((Date.now() - t0) / 5_000);
  pending.push(
    fetch(`${api}${path ?? `/v1/syncs/${ids[i % ids.length]}`}`, { headers }).then(
      async (r) => {
        await r.text();
        if (r.status !== 200) errors++;
        ms.push(performance.now() - s);
        (byWindow[window] ??= []).push(performance.now() - s);
      },
      () => errors++,
    ),
  );
  const next = t0 + (n * 1000) / rate;
  await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
}
await Promise.all(pending);
const q = (list, p) => {
  const sorted = [...list].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]);
};
const windowsP99 = byWindow.map((list) => q(list ?? [], 0.99));
console.log(
  JSON.stringify({
    ids: ids.length,
    requests: ms.length,
    errors,
    p50: q(ms, 0.5),
    p95: q(ms, 0.95),
    p99: q(ms, 0.99),
    windowsP99,
  }),
);

// GET one and GET list (?phase=synchronizing) at a fixed rate against running APIs, for bench:grow's steps:
// the routes' p50/p95/p99 (apiMs) at each fleet size. bench:api measures the full set of routes.
import autocannon from 'autocannon';
import { pcts, type Percentiles } from './summary';

export interface ProbeResult {
  apiMs: Record<string, Percentiles>;
  /** Answers other than 2xx, and connection errors or time-outs, per route. */
  errors: Record<string, number>;
}

export async function probeApi(
  urls: string[],
  token: string,
  ids: string[],
  rate: number,
  seconds: number,
): Promise<ProbeResult> {
  const headers = { authorization: `Bearer ${token}` };
  let turn = 0;
  const routes: [string, autocannon.Request][] = [
    [
      `GET /v1/syncs/:id @${rate}`,
      {
        method: 'GET',
        headers,
        setupRequest: (req) => ({
          ...req,
          path: `/v1/syncs/${encodeURIComponent(ids[turn++ % Math.max(1, ids.length)] ?? 'none')}`,
        }),
      },
    ],
    [`GET /v1/syncs?phase= @${rate}`, { method: 'GET', path: '/v1/syncs?phase=synchronizing', headers }],
  ];
  const result: ProbeResult = { apiMs: {}, errors: {} };
  for (const [route, request] of routes) {
    const times: number[] = [];
    const share = Math.max(1, Math.round(rate / urls.length));
    const runs = await Promise.all(
      urls.map(
        (url) =>
          new Promise<autocannon.Result>((done, fail) => {
            const instance = autocannon(
              { url, connections: share, overallRate: share, duration: seconds, requests: [request] },
              (err, r) => (err ? fail(err instanceof Error ? err : new Error(String(err))) : done(r)),
            );
            instance.on('response', (_client, _status, _bytes, ms) => times.push(ms));
          }),
      ),
    );
    result.apiMs[route] = pcts(times);
    result.errors[route] = runs.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
  }
  return result;
}

// Small HTTP helpers: read a bounded body, parse form/query strings strictly, write JSON.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gatewayErrors } from './errors';

const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw gatewayErrors.bodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw gatewayErrors.malformedRequest('invalid percent-encoding');
  }
}

/** Parses `a=1&b=2` into `into`; a name that appears twice is refused. */
export function parseFormInto(into: Record<string, string>, text: string): void {
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (Object.prototype.hasOwnProperty.call(into, name))
      throw gatewayErrors.malformedRequest(`parameter ${name} appears twice`);
    into[name] = value;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, requestId?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(requestId ? { 'x-acs-request-id': requestId } : {}),
  });
  res.end(text);
}

export function sendBadGatewayPage(res: ServerResponse): void {
  const html =
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n';
  res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

/** Drop the connection without an answer (RST when the platform allows). */
export function resetConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

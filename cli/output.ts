import { stringify } from 'yaml';
import { CliError, EXIT } from './exit-codes';

export const FORMATS = ['table', 'json', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];

export function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new CliError(`-o/--output: must be one of ${FORMATS.join(', ')}, not ${value}`, EXIT.usage);
}

/** For scripts: the data as it is, JSON or YAML; `table` is the caller's own rendering. */
export function printData(format: Format, data: unknown, table: () => string): void {
  if (format === 'json') process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else if (format === 'yaml') process.stdout.write(stringify(data));
  else {
    const text = table();
    if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/** Columns padded to their widest cell; an empty cell shows `-`. */
export function table(headers: string[], rows: (string | number | undefined)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((c) => (c === undefined || c === '' ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key: value` lines for one record, nested records indented; for people reading one setup. */
export function keyValues(record: Record<string, unknown>, indent = ''): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      lines.push(`${indent}${key}:`);
      for (const item of value) {
        if (typeof item === 'object' && item !== null) {
          const inner = keyValues(item as Record<string, unknown>, `${indent}    `).replace(/^\s+/, '');
          lines.push(`${indent}  - ${inner}`);
        } else lines.push(`${indent}  - ${String(item as string | number | boolean)}`);
      }
    } else if (typeof value === 'object' && value !== null) {
      lines.push(`${indent}${key}:`, keyValues(value as Record<string, unknown>, `${indent}  `));
    } else lines.push(`${indent}${key}: ${JSON.stringify(value)?.replace(/^"(.*)"$/, '$1') ?? ''}`);
  }
  return lines.filter(Boolean).join('\n');
}

// CPU of the processes on this machine over a window, in % of one core, grouped by what they are (Temporal server,
// PostgreSQL, workers, APIs, emulator): node bench/cpu-window.mjs SECONDS [--each]. Linux (/proc) only.
import { readdirSync, readFileSync } from 'node:fs';

const seconds = Number(process.argv[2] ?? 20);
const each = process.argv.includes('--each');
const TICKS_PER_SECOND = 100;

function sample() {
  const times = new Map();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      times.set(pid, { ticks: Number(fields[11]) + Number(fields[12]), command });
    } catch {
      // Ended between the listing and the read.
    }
  }
  return times;
}

function groupOf(command) {
  if (/postgres/.test(command)) return 'postgres';
  if (/temporal-server|\/server .*--config/.test(command)) return 'temporal-server';
  if (/worker\/main/.test(command)) return 'worker';
  if (/api\/main/.test(command)) return 'api';
  if (/emulator\/main/.test(command)) return 'emulator';
  if (/bench\//.test(command)) return 'bench';
  return 'other';
}

const before = sample();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const percent = (ticks) => Math.round((100 * ticks) / TICKS_PER_SECOND / seconds);
const groups = {};
for (const [pid, { ticks, command }] of sample()) {
  const used = ticks - (before.get(pid)?.ticks ?? 0);
  if (used <= 0) continue;
  groups[groupOf(command)] = (groups[groupOf(command)] ?? 0) + used;
  if (each && percent(used) >= 5) console.log(`${percent(used)} %`, command.slice(0, 120));
}
const sorted = Object.entries(groups).sort((a, b) => b[1] - a[1]);
console.log(JSON.stringify(Object.fromEntries(sorted.map(([group, ticks]) => [group, percent(ticks)]))));

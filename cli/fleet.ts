import { createInterface } from 'node:readline/promises';
import { ApiError, type Api } from './client';
import { CliError, EXIT } from './exit-codes';
import { baseDir, readYamlFile, withSecrets, type SetupEntry } from './files';
import { explain, outcome, progressLine, ProgressBoard, type SetupStatus } from './progress';
import { table } from './output';

/** What POST /v1/syncs/plan answers for one sync of the file. */
interface PlanReply {
  id: string;
  action: 'create' | 'unchanged' | 'change' | 'blocked';
  phase?: string;
  fields?: { field: string; rule: string; message: string }[];
  message?: string;
}

export interface Purchase {
  jobClass: string;
  payType: string;
  period?: string;
  usedTime?: number;
}

export interface PlannedSync {
  index: number;
  name: string;
  id: string;
  action: PlanReply['action'];
  phase?: string;
  fields?: PlanReply['fields'];
  message?: string;
  /** The DTS instance a create buys (nothing for an adoption). */
  buys?: Purchase;
}

export interface Plan {
  file: string;
  syncs: PlannedSync[];
  notInFile: { id: string; name?: string; phase?: string }[];
  purchases: { instances: number; byClass: Record<string, number>; byPayType: Record<string, number> };
  /** Secret references `apply` could not read here (a plan reads none). */
  unreadableSecrets: string[];
}

interface Fleet {
  select: { namePrefix?: string; tag?: string };
  entries: SetupEntry[];
  dir: string;
}

const DAY_TWO =
  'not applicable: only databases, jobClass (up) and tags change on a running setup; ' +
  'the setup runs on as it is (to change the rest: release it, then apply again, which buys a new DTS instance)';
/** The fields apply changes on a running setup, one PATCH each (PATCH /v1/syncs/:id). */
const CHANGEABLE = new Set(['/databases', '/jobClass', '/tags']);

/** The fleet file: `select` (which running setups it speaks for) and `syncs`, each the API's request body. */
export function readFleet(path: string): Fleet {
  const value = readYamlFile(path);
  const fail = (message: string) => new CliError(`${path}: ${message}`, EXIT.usage);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fail('expected a fleet: { select?, syncs: [...] }');
  const fleet = value as Record<string, unknown>;
  for (const key of Object.keys(fleet))
    if (!['syncs', 'select', '$schema'].includes(key)) throw fail(`/${key}: unknown field (select, syncs)`);
  if (!Array.isArray(fleet.syncs)) throw fail('/syncs: must be a list of syncs');
  const select = (fleet.select ?? {}) as Record<string, unknown>;
  if (typeof select !== 'object' || Array.isArray(select)) throw fail('/select: must be { namePrefix?, tag? }');
  for (const key of Object.keys(select)) {
    if (!['namePrefix', 'tag'].includes(key)) throw fail(`/select/${key}: unknown field (namePrefix, tag)`);
    if (typeof select[key] !== 'string') throw fail(`/select/${key}: must be a string`);
  }
  const { namePrefix, tag } = select as Fleet['select'];
  const seen = new Map<string, number>();
  const entries = fleet.syncs.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail(`/syncs/${i}: must be a sync`);
    const sync = entry as SetupEntry;
    if (typeof sync.name === 'string') {
      const before = seen.get(sync.name);
      if (before !== undefined) throw fail(`/syncs/${i}/name: ${sync.name} is also /syncs/${before}`);
      seen.set(sync.name, i);
      if (namePrefix && !sync.name.startsWith(namePrefix))
        throw fail(`/syncs/${i}/name: must start with ${namePrefix} (select.namePrefix)`);
    }
    // The file's tag goes on every sync it creates, so the next plan finds them by it.
    if (tag) {
      const tags = Array.isArray(sync.tags) ? (sync.tags as unknown[]) : [];
      return { ...sync, tags: tags.includes(tag) ? tags : [...tags, tag] };
    }
    return sync;
  });
  return { select: { ...(namePrefix ? { namePrefix } : {}), ...(tag ? { tag } : {}) }, entries, dir: baseDir(path) };
}

/** Each sync of the file asked of the API (POST /v1/syncs/plan), and the running setups the file leaves out. */
export async function makePlan(api: Api, path: string): Promise<{ plan: Plan; fleet: Fleet }> {
  const fleet = readFleet(path);
  const problems: string[] = [];
  const unreadableSecrets: string[] = [];
  const syncs: PlannedSync[] = [];
  for (const [index, entry] of fleet.entries.entries()) {
    const at = `/syncs/${index}`;
    const { body, problems: secretProblems, unreadable } = withSecrets(entry, at, fleet.dir, 'placeholder');
    problems.push(...secretProblems);
    unreadableSecrets.push(...unreadable);
    let reply: PlanReply;
    try {
      reply = await api.request<PlanReply>('POST', '/v1/syncs/plan', body);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 400) throw err;
      const fields = err.body.fields ?? [{ field: '', rule: '', message: err.body.message ?? 'invalid' }];
      problems.push(...fields.map((f) => `${at}${f.field}: ${f.message}`));
      continue;
    }
    const name = typeof entry.name === 'string' ? entry.name : reply.id;
    const twin = syncs.find((s) => s.id === reply.id);
    if (twin) problems.push(`${at}: the same pair as /syncs/${twin.index} (${twin.name}); one setup per pair`);
    syncs.push({
      index,
      name,
      id: reply.id,
      action: reply.action,
      ...(reply.phase ? { phase: reply.phase } : {}),
      ...(reply.fields ? { fields: reply.fields } : {}),
      ...(reply.message ? { message: reply.message } : {}),
      ...(reply.action === 'create' && !entry.adopt ? { buys: purchaseOf(entry) } : {}),
    });
  }
  if (problems.length > 0) throw new CliError(problems.map((p) => `${path}: ${p}`).join('\n'), EXIT.usage);
  const inFile = new Set(syncs.map((s) => s.id));
  const running = await runningSetups(api, fleet.select);
  const notInFile = running
    .filter((s) => !inFile.has(s.id))
    .map((s) => ({ id: s.id, ...(s.name ? { name: s.name } : {}), ...(s.phase ? { phase: s.phase } : {}) }));
  const purchases = { instances: 0, byClass: {} as Record<string, number>, byPayType: {} as Record<string, number> };
  for (const { buys } of syncs) {
    if (!buys) continue;
    purchases.instances += 1;
    purchases.byClass[buys.jobClass] = (purchases.byClass[buys.jobClass] ?? 0) + 1;
    purchases.byPayType[buys.payType] = (purchases.byPayType[buys.payType] ?? 0) + 1;
  }
  return { plan: { file: path, syncs, notInFile, purchases, unreadableSecrets }, fleet };
}

/** The API's defaults (small, PostPaid) for what the file leaves out. */
function purchaseOf(entry: SetupEntry): Purchase {
  const payType = typeof entry.payType === 'string' ? entry.payType : 'PostPaid';
  return {
    jobClass: typeof entry.jobClass === 'string' ? entry.jobClass : 'small',
    payType,
    ...(payType === 'PrePaid' && typeof entry.period === 'string' ? { period: entry.period } : {}),
    ...(payType === 'PrePaid' && typeof entry.usedTime === 'number' ? { usedTime: entry.usedTime } : {}),
  };
}

interface ListItem {
  id: string;
  name?: string;
  phase?: string;
  workflowStatus: string;
}

/** Every running setup the file's `select` covers (all of this deployment's when it has none). */
async function runningSetups(api: Api, select: Fleet['select']): Promise<ListItem[]> {
  const items: ListItem[] = [];
  let pageToken: string | undefined;
  do {
    const query = new URLSearchParams({ pageSize: '100' });
    if (select.namePrefix) query.set('namePrefix', select.namePrefix);
    if (select.tag) query.set('tag', select.tag);
    if (pageToken) query.set('pageToken', pageToken);
    const page = await api.request<{ items: ListItem[]; nextPageToken?: string }>(
      'GET',
      `/v1/syncs?${query.toString()}`,
    );
    items.push(...page.items.filter((i) => i.workflowStatus === 'RUNNING'));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return items;
}

export function showPurchase(p: Purchase): string {
  const term = p.payType === 'PrePaid' ? `PrePaid ${p.usedTime ?? '?'} ${p.period ?? '?'}` : 'PostPaid (pay-as-you-go)';
  return `buys 1 DTS instance: ${p.jobClass}, ${term}`;
}

/** The plan for people: one line per sync, each change's fields, the running setups left out, and the money. */
export function planText(plan: Plan): string {
  const sign = { create: '+', change: '~', unchanged: '=', blocked: '!' } as const;
  const lines = [`Plan for ${plan.file}:`];
  const rows: string[][] = plan.syncs.map((s) => [
    `  ${sign[s.action]} ${s.action}`,
    s.name,
    s.action === 'create' ? (s.buys ? showPurchase(s.buys) : 'adopts its DTS job, buys nothing') : (s.phase ?? ''),
  ]);
  rows.push(...plan.notInFile.map((s) => ['  - not in the file', s.name ?? s.id, `${s.phase ?? ''} (${s.id})`]));
  if (rows.length > 0) lines.push(table(['', 'name', ''], rows).split('\n').slice(1).join('\n'));
  for (const s of plan.syncs) {
    if (s.action === 'change') {
      lines.push(`\n${s.name} (${s.id}) differs from the running setup:`);
      for (const f of s.fields ?? []) lines.push(`    ${f.field}: ${f.message}`);
      const fixed = (s.fields ?? []).filter((f) => !CHANGEABLE.has(f.field));
      lines.push(`  apply: ${fixed.length > 0 ? DAY_TWO : 'changes it in place, one field at a time (PATCH)'}`);
    }
    if (s.action === 'blocked') lines.push(`\n${s.name}: apply would be refused: ${s.message ?? ''}`);
  }
  if (plan.notInFile.length > 0)
    lines.push(
      `\n${plan.notInFile.length} running setup(s) not in the file: apply leaves them running; apply --prune releases them.`,
    );
  const { instances, byClass, byPayType } = plan.purchases;
  const count = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
  lines.push(
    instances > 0
      ? `\nMoney: apply buys ${instances} DTS instance(s): ${count(byClass)}; ${count(byPayType)}.`
      : '\nMoney: apply buys nothing.',
  );
  for (const s of plan.unreadableSecrets) lines.push(`warning: ${s} (apply needs it to create)`);
  const counts = (a: PlannedSync['action']) => plan.syncs.filter((s) => s.action === a).length;
  lines.push(
    `Summary: ${counts('create')} to create, ${counts('change')} to change, ${counts('unchanged')} unchanged, ` +
      `${plan.notInFile.length} not in the file${counts('blocked') ? `, ${counts('blocked')} refused` : ''}.`,
  );
  return lines.join('\n');
}

export interface ApplyOptions {
  wait: boolean;
  prune: boolean;
  yes: boolean;
  intervalMs: number;
  timeoutMs?: number;
  /** Prints a line for people; silent with -o json/yaml. */
  say: (line: string) => void;
  /** With -o json|yaml: no live lines, only the result at the end. */
  quiet: boolean;
}

export interface ApplyResult {
  created: { name: string; id: string; phase: string }[];
  refused: { name: string; message: string }[];
  notApplicable: { name: string; id: string; fields: string[]; reason: string }[];
  /** Running setups changed in place, each field by its own PATCH, with how the change ended. */
  changed: { name: string; id: string; field: string; outcome: string }[];
  released: { id: string; name?: string; phase?: string }[];
  left: { id: string; name?: string }[];
  followed: { name: string; id: string; phase: string }[];
  exitCode: number;
}

/** Does what the plan says: creates, reports changes it cannot make yet, prunes only when told and confirmed. */
export async function apply(api: Api, plan: Plan, fleet: Fleet, options: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = {
    created: [],
    refused: [],
    notApplicable: [],
    changed: [],
    released: [],
    left: [],
    followed: [],
    exitCode: 0,
  };
  const creates = plan.syncs.filter((s) => s.action === 'create');
  const bodies = createBodies(plan, fleet, creates);
  if (options.prune && plan.notInFile.length > 0 && !options.yes) await confirmPrune(plan);
  await createAll(api, creates, bodies, result, options);
  await changeAll(api, plan, fleet, result, options);
  await pruneAll(api, plan, result, options);
  await finish(api, result, options);
  return result;
}

/** Every secret a create needs is read before anything is bought, so a missing one buys nothing. */
function createBodies(plan: Plan, fleet: Fleet, creates: Plan['syncs']): Map<number, Record<string, unknown>> {
  const bodies = new Map<number, Record<string, unknown>>();
  const problems: string[] = [];
  for (const s of creates) {
    const entry = fleet.entries[s.index] as SetupEntry;
    const read = withSecrets(entry, `/syncs/${s.index}`, fleet.dir, 'read');
    problems.push(...read.problems);
    bodies.set(s.index, read.body);
  }
  if (problems.length > 0) throw new CliError(problems.map((p) => `${plan.file}: ${p}`).join('\n'), EXIT.usage);
  return bodies;
}

async function createAll(
  api: Api,
  creates: Plan['syncs'],
  bodies: Map<number, Record<string, unknown>>,
  result: ApplyResult,
  options: ApplyOptions,
): Promise<void> {
  for (const s of creates) {
    try {
      const accepted = await api.request<{ id: string; phase: string }>('POST', '/v1/syncs', bodies.get(s.index));
      result.created.push({ name: s.name, id: accepted.id, phase: accepted.phase });
      options.say(`created ${s.name} (${accepted.id}): ${accepted.phase}`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      result.refused.push({ name: s.name, message: err.message });
      options.say(`refused ${s.name}: ${err.message}`);
    }
  }
}

/** Changes of running setups: in place where a PATCH can make them, else reported; blocked entries as refused. */
async function changeAll(api: Api, plan: Plan, fleet: Fleet, result: ApplyResult, options: ApplyOptions) {
  for (const s of plan.syncs) {
    if (s.action === 'change') {
      const fields = (s.fields ?? []).map((f) => f.field);
      const entry = fleet.entries[s.index] as unknown as Record<string, unknown>;
      // A field the file leaves out means its default: a change back to it is not one apply makes in place.
      if (fields.some((f) => !CHANGEABLE.has(f) || entry[f.slice(1)] === undefined)) {
        result.notApplicable.push({ name: s.name, id: s.id, fields, reason: DAY_TWO });
        options.say(`not changed ${s.name} (${fields.join(', ')}): ${DAY_TWO}`);
      } else {
        await changeInPlace(api, s, fleet.entries[s.index] as SetupEntry, fields, result, options);
      }
    }
    if (s.action === 'blocked') {
      result.refused.push({ name: s.name, message: s.message ?? 'refused' });
      options.say(`refused ${s.name}: ${s.message ?? ''}`);
    }
  }
}

/** Setups not in the file: released with --prune, else left running and named. */
async function pruneAll(api: Api, plan: Plan, result: ApplyResult, options: ApplyOptions): Promise<void> {
  for (const s of plan.notInFile) {
    if (!options.prune) {
      result.left.push({ id: s.id, ...(s.name ? { name: s.name } : {}) });
      options.say(`left running ${s.name ?? s.id} (not in the file; --prune releases it)`);
      continue;
    }
    try {
      const status = await api.request<{ phase?: string }>('DELETE', `/v1/syncs/${encodeURIComponent(s.id)}`);
      result.released.push({
        id: s.id,
        ...(s.name ? { name: s.name } : {}),
        ...(status?.phase ? { phase: status.phase } : {}),
      });
      options.say(`releasing ${s.name ?? s.id} (${s.id}): ${status?.phase ?? 'accepted'}`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      result.refused.push({ name: s.name ?? s.id, message: err.message });
      options.say(`refused release of ${s.name ?? s.id}: ${err.message}`);
    }
  }
}

/** Follows the new setups when asked, then sets the exit code (the worst outcome) and says the summary. */
async function finish(api: Api, result: ApplyResult, options: ApplyOptions): Promise<void> {
  const codes: number[] = [];
  if (options.wait && result.created.length > 0) codes.push(...(await follow(api, result, options)));
  if (result.refused.length > 0) codes.push(EXIT.refused);
  if (result.changed.some((c) => c.outcome === 'failed')) codes.push(EXIT.refused);
  if (result.changed.some((c) => c.outcome === 'applying')) codes.push(EXIT.timeout);
  if (result.notApplicable.length > 0) codes.push(EXIT.notApplicable);
  // The worst first: a refusal, a setup that ended, one that needs attention, the timeout, then what waits for day two.
  const order = [EXIT.refused, EXIT.ended, EXIT.needsAttention, EXIT.timeout, EXIT.notApplicable];
  result.exitCode = order.find((c) => codes.includes(c)) ?? EXIT.ok;
  const synced = result.followed.filter((f) => f.phase === 'synchronizing').length;
  options.say(
    `Summary: ${result.created.length} created${options.wait ? ` (${synced} synchronizing)` : ''}, ` +
      `${result.changed.length} changed, ${result.notApplicable.length} not changed, ${result.released.length} released, ` +
      `${result.left.length} left running, ${result.refused.length} refused.`,
  );
}

/** One progress line per new setup until each reaches synchronizing or stops; the codes of those that did not. */
async function follow(api: Api, result: ApplyResult, options: ApplyOptions): Promise<number[]> {
  const board = options.quiet ? undefined : new ProgressBoard(result.created.map((c) => c.name));
  const pending = new Map(result.created.map((c) => [c.id, c]));
  const last = new Map<string, SetupStatus>();
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  const codes: number[] = [];
  while (pending.size > 0) {
    for (const [id, created] of [...pending]) {
      const status = await api.request<SetupStatus>('GET', `/v1/syncs/${encodeURIComponent(id)}`);
      last.set(id, status);
      board?.update(created.name, progressLine(status));
      const code = outcome(status);
      if (code === undefined) continue;
      pending.delete(id);
      result.followed.push({ name: created.name, id, phase: status.phase });
      if (code !== EXIT.ok) {
        codes.push(code);
        for (const line of explain(status)) options.say(`${created.name}:${line}`);
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      for (const [id, created] of pending) {
        result.followed.push({ name: created.name, id, phase: last.get(id)?.phase ?? 'unknown' });
        options.say(`${created.name}: still ${last.get(id)?.phase ?? 'unknown'} when --timeout passed`);
      }
      codes.push(EXIT.timeout);
      break;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
  return codes;
}

async function confirmPrune(plan: Plan): Promise<void> {
  const names = plan.notInFile.map((s) => s.name ?? s.id).join(', ');
  if (!process.stdin.isTTY)
    throw new CliError(
      `--prune would release ${plan.notInFile.length} setup(s) (${names}); confirm on a terminal or add --yes`,
      EXIT.usage,
    );
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`Release ${plan.notInFile.length} setup(s) not in the file (${names})? Type yes: `);
  rl.close();
  if (answer.trim() !== 'yes') throw new CliError('nothing applied: the release was not confirmed', EXIT.usage);
}

/**
 * One PATCH per field, each waited for: a setup applies one change at a time (a second one is refused while the
 * first applies). A refusal or a failed change is reported and stops this setup's remaining fields.
 */
async function changeInPlace(
  api: Api,
  s: { name: string; id: string },
  entry: SetupEntry,
  fields: string[],
  result: ApplyResult,
  options: ApplyOptions,
): Promise<void> {
  const url = `/v1/syncs/${encodeURIComponent(s.id)}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  for (const field of fields) {
    const key = field.slice(1);
    const value = (entry as unknown as Record<string, unknown>)[key];
    let id: number | undefined;
    try {
      const accepted = await api.request<{ changes?: { id: number }[] }>('PATCH', url, { [key]: value });
      id = accepted.changes?.at(-1)?.id;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      result.refused.push({ name: s.name, message: err.message });
      options.say(`refused change of ${s.name} (${field}): ${err.message}`);
      return;
    }
    let outcome = 'applying';
    while (outcome === 'applying' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, options.intervalMs));
      const status = await api.request<{ changes?: { id: number; outcome: string }[] }>('GET', url);
      outcome = status.changes?.find((c) => c.id === id)?.outcome ?? 'applying';
    }
    result.changed.push({ name: s.name, id: s.id, field, outcome });
    options.say(`changed ${s.name} (${field}): ${outcome}`);
    if (outcome !== 'applied') return;
  }
}

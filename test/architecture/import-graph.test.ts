import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETUP_WORKFLOW_TYPE } from '../../core/visibility';
import { INSTANCE_CLAIM_WORKFLOW, PURCHASE_RECORD_WORKFLOW } from '../../core/claims';
import { dtsInstanceClaim, dtsPurchaseRecord } from '../../workflows/instance-claim';
import { redisSync } from '../../workflows/redis-sync';

// The folders form layers: core/ at the bottom (sandbox-safe, shared by every process), then
// activities/ and workflows/, then worker/ and api/. A circle between two folders means neither
// can be read (or changed) without the other, so it fails here.
const ROOT = join(__dirname, '../..');
const FOLDERS = ['core', 'workflows', 'activities', 'api', 'worker', 'common', 'emulator', 'scripts', 'bench', 'cli'];
const SPECIFIER =
  /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\brequire(?:\.resolve)?\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

type Graph = Map<string, Set<string>>;

/** Folder → the other folders its files import (type-only imports included: they couple the code too). */
function folderGraph(): Graph {
  const graph: Graph = new Map(FOLDERS.map((f) => [f, new Set<string>()]));
  for (const folder of FOLDERS) {
    const files = readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' }).filter(
      (name) => /\.(ts|mts|cts)$/.test(name) && !name.includes('node_modules'),
    );
    for (const file of files) {
      const path = join(ROOT, folder, file);
      for (const [, spec] of readFileSync(path, 'utf8').matchAll(SPECIFIER)) {
        const target = relative(ROOT, normalize(join(dirname(path), spec!))).split(/[\\/]/)[0]!;
        if (target !== folder && FOLDERS.includes(target)) graph.get(folder)!.add(target);
      }
    }
  }
  return graph;
}

/** A circle in the graph, as the list of folders along it, or undefined. */
export function findCircle(graph: Graph): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const circle = visit(next);
      if (circle) return circle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const circle = visit(node);
    if (circle) return circle;
  }
  return undefined;
}

describe('the import graph between top-level folders', () => {
  const graph = folderGraph();

  it('has no circle', () => {
    expect(findCircle(graph)).toBeUndefined();
  });

  it('finds a circle when there is one (the check bites)', () => {
    const circular: Graph = new Map([
      ['core', new Set<string>()],
      ['activities', new Set(['core', 'workflows'])],
      ['workflows', new Set(['core', 'activities'])],
    ]);
    expect(findCircle(circular)).toEqual(['activities', 'workflows', 'activities']);
  });

  it('keeps core/ at the bottom and activities/ away from workflows/', () => {
    expect([...graph.get('core')!]).toEqual([]);
    expect(graph.get('activities')!.has('workflows')).toBe(false);
    expect(graph.get('workflows')!.has('api')).toBe(false);
  });

  it('names the workflows that code outside the sandbox starts by name', () => {
    expect(redisSync.name).toBe(SETUP_WORKFLOW_TYPE);
    expect(dtsInstanceClaim.name).toBe(INSTANCE_CLAIM_WORKFLOW);
    expect(dtsPurchaseRecord.name).toBe(PURCHASE_RECORD_WORKFLOW);
  });
});

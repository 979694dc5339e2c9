// The shipped RAM policy grants exactly the actions the product can send: nothing missing (a call would answer
// Forbidden.RAM in production, and in every test, since the emulator enforces the policy), nothing extra.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DTS_ACTIONS } from '../../emulator/reference/dts';
import { isAllowed, parseRamPolicy, resourceName, SHIPPED_RAM_POLICY } from '../../emulator/ram';
import { rkvstoreOperations } from '../../emulator/rkvstore/operations';

const root = join(__dirname, '..', '..');
/** Code that calls Alibaba Cloud: the worker's activities and the API's read-only DTS access. */
const CALLERS = ['activities', 'api'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(root, dir, name));
}

/** `dts:<Action>` / `kvstore:<Action>` for every `.call('<Action>'` in the product's code. */
function actionsTheProductSends(): Set<string> {
  const found = new Set<string>();
  for (const file of CALLERS.flatMap(sourceFiles)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\.call\(\s*'([A-Z][A-Za-z]+)'/g)) {
      const action = match[1] as string;
      if (Object.hasOwn(DTS_ACTIONS, action)) found.add(`dts:${action}`);
      else if (Object.hasOwn(rkvstoreOperations, action)) found.add(`kvstore:${action}`);
      else throw new Error(`${file} calls ${action}, which neither the DTS table nor the R-KVStore emulator knows`);
    }
  }
  return found;
}

const document = JSON.parse(readFileSync(SHIPPED_RAM_POLICY, 'utf8')) as {
  Statement: { Effect: string; Action: string | string[] }[];
};
const granted = new Set(
  document.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) =>
    Array.isArray(s.Action) ? s.Action : [s.Action],
  ),
);

describe('deploy/ram-policy.json', () => {
  const sent = actionsTheProductSends();

  it('names actions one by one (no wildcard hides an extra grant)', () => {
    expect([...granted].filter((a) => /[*?]/.test(a))).toEqual([]);
  });

  it('grants every action the product sends, and nothing else', () => {
    expect(sent.size).toBeGreaterThanOrEqual(10);
    expect([...sent].filter((a) => !granted.has(a)).sort(), 'missing from the policy').toEqual([]);
    expect([...granted].filter((a) => !sent.has(a)).sort(), 'granted but never sent').toEqual([]);
  });

  it('lets each of them through as the emulator evaluates it', () => {
    const policy = parseRamPolicy(document);
    for (const action of sent) {
      const product = action.startsWith('dts:') ? 'dts' : 'kvstore';
      expect(isAllowed(policy, action, resourceName(product, 'cn-hangzhou', 'r-or-dts-0001')), action).toBe(true);
    }
    expect(isAllowed(policy, 'dts:DeleteDtsJobs', resourceName('dts', 'cn-hangzhou'))).toBe(false);
  });
});

describe('the RAM policy grammar', () => {
  it('matches Action wildcards case-insensitively, Resource exactly, and lets Deny win', () => {
    const policy = parseRamPolicy({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'dts:Describe*', Resource: '*' },
        { Effect: 'Allow', Action: ['kvstore:DescribeInstanceAttribute'], Resource: 'acs:kvstore:*:*:instance/r-a*' },
        { Effect: 'Deny', Action: 'dts:DescribeSynchronizationJobs', Resource: '*' },
      ],
    });
    expect(isAllowed(policy, 'dts:describesynchronizationjobstatus', 'acs:dts:cn-hangzhou:1:instance/x')).toBe(true);
    expect(isAllowed(policy, 'dts:DescribeSynchronizationJobs', 'acs:dts:cn-hangzhou:1:instance/*')).toBe(false);
    expect(isAllowed(policy, 'dts:CreateSynchronizationJob', 'acs:dts:cn-hangzhou:1:instance/*')).toBe(false);
    expect(isAllowed(policy, 'kvstore:DescribeInstanceAttribute', 'acs:kvstore:cn-hangzhou:1:instance/r-abc')).toBe(
      true,
    );
    expect(isAllowed(policy, 'kvstore:DescribeInstanceAttribute', 'acs:kvstore:cn-hangzhou:1:instance/r-bcd')).toBe(
      false,
    );
  });

  it('refuses a document it would only half apply', () => {
    expect(() =>
      parseRamPolicy({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: {} }] }),
    ).toThrow(/Condition/);
    expect(() => parseRamPolicy({ Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] })).toThrow(/Effect/);
    expect(() => parseRamPolicy({ Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] })).toThrow(/Action/);
  });
});

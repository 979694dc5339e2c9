import { describe, expect, it } from 'vitest';
import { InstanceRegistry, parseInstance } from '../../emulator/instances';

// How the emulator finds the instance an endpoint points at, as DTS would connect to it: every precheck
// resolves the endpoints of every configured job, so this is looked up by id, not by scanning.
const registry = new InstanceRegistry([
  parseInstance({ instanceId: 'r-tair', password: '' }),
  parseInstance({ instanceId: 'i-ecs', password: '', edition: 'self-managed', port: 6380 }),
  parseInstance({ instanceId: 'self-a', password: '', edition: 'self-managed', ip: '192.0.2.7', port: 6379 }),
]);

describe('instance registry', () => {
  it('resolves a Tair endpoint by its id, never to a self-managed instance of that id', () => {
    expect(registry.resolve({ instanceType: 'Redis', instanceId: 'r-tair' })?.instanceId).toBe('r-tair');
    expect(registry.resolve({ instanceType: 'Redis', instanceId: 'i-ecs' })).toBeUndefined();
    expect(registry.resolve({ instanceType: 'Redis', instanceId: 'r-missing' })).toBeUndefined();
    expect(registry.resolve({ instanceType: 'Redis' })).toBeUndefined();
  });

  it('resolves an ECS endpoint by its id and port, a self-managed one by IP and port', () => {
    expect(registry.resolve({ instanceType: 'ECS', instanceId: 'i-ecs', port: 6380 })?.instanceId).toBe('i-ecs');
    expect(registry.resolve({ instanceType: 'ECS', instanceId: 'i-ecs', port: 6379 })).toBeUndefined();
    expect(registry.resolve({ instanceType: 'ECS', instanceId: 'r-tair', port: 6379 })).toBeUndefined();
    expect(registry.resolve({ instanceType: 'Express', ip: '192.0.2.7', port: 6379 })?.instanceId).toBe('self-a');
    expect(registry.resolve({ instanceType: 'Express', ip: '192.0.2.7', port: 6380 })).toBeUndefined();
  });
});

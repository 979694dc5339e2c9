// Real redis-server processes behind the emulated cloud instances: one per instance, on 127.0.0.1 and a free
// port, requirepass set to the instance's password. Absent redis-server, the emulator works without them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connectRedis, probeRedis } from '../../common/redis';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisInstance } from '../model';

export const LOOPBACK = '127.0.0.1';

/** redis-server on PATH, or undefined when there is none. */
export function findRedisServer(): string | undefined {
  const candidate = 'redis-server';
  const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 5000 });
  return probe.status === 0 && /Redis server/.test(probe.stdout) ? candidate : undefined;
}

/** A port nobody listens on right now (the OS picks it); redis-server may still lose a race for it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// Redis config strings: double quotes with backslash escapes, so any password survives.
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

export interface RedisServerView {
  instanceId: string;
  host: string;
  port: number;
  running: boolean;
}

interface Server {
  instanceId: string;
  password: string;
  port: number;
  dir: string;
  child?: ChildProcess;
  starting?: Promise<void>;
}

export class RedisFleet {
  private readonly servers = new Map<string, Server>();
  private readonly root: string;
  private closed = false;

  constructor(
    private readonly binary: string,
    dataDir?: string,
  ) {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    this.root = mkdtempSync(join(dataDir ?? tmpdir(), 'emulator-redis-'));
  }

  /** Cloud instances get a server each (self-managed ones are reached at their own ip:port). */
  async sync(instances: RedisInstance[]): Promise<void> {
    const wanted = instances.filter((i) => i.edition !== 'self-managed');
    await Promise.all(wanted.map((i) => this.ensure(i)));
  }

  /** Where R-KVStore says the instance is: its server's loopback port (closed while it is stopped). */
  address(instanceId: string): { host: string; port: number } | undefined {
    const server = this.servers.get(instanceId);
    return server && { host: LOOPBACK, port: server.port };
  }

  list(): RedisServerView[] {
    return [...this.servers.values()].map((s) => ({
      instanceId: s.instanceId,
      host: LOOPBACK,
      port: s.port,
      running: s.child !== undefined,
    }));
  }

  /** The instance goes away (its port closes, its data stays); `start` brings it back on the same port. */
  async stop(instanceId: string): Promise<boolean> {
    const server = this.servers.get(instanceId);
    if (!server) return false;
    await server.starting;
    await stopChild(server);
    return true;
  }

  async start(instanceId: string): Promise<boolean> {
    const server = this.servers.get(instanceId);
    if (!server) return false;
    await server.starting;
    if (!server.child) await this.launch(server);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.servers.values()].map(async (s) => stopChild(s)));
    rmSync(this.root, { recursive: true, force: true });
  }

  private async ensure(instance: RedisInstance): Promise<void> {
    const existing = this.servers.get(instance.instanceId);
    if (existing) {
      await existing.starting;
      // A registry update may change the password: the running server follows it.
      if (existing.password !== instance.password && existing.child) {
        const previous = existing.password;
        existing.password = instance.password;
        const client = await connectRedis({ host: LOOPBACK, port: existing.port, password: previous });
        await client.config('SET', 'requirepass', instance.password).finally(() => client.disconnect());
      }
      existing.password = instance.password;
      return;
    }
    const dir = join(this.root, instance.instanceId.replace(/[^A-Za-z0-9._-]/g, '_'));
    mkdirSync(dir, { recursive: true });
    const server: Server = { instanceId: instance.instanceId, password: instance.password, port: 0, dir };
    this.servers.set(instance.instanceId, server);
    await this.launch(server);
  }

  private launch(server: Server): Promise<void> {
    server.starting = (async () => {
      let lastError: unknown;
      for (let attempt = 0; attempt < 5 && !this.closed; attempt++) {
        const port = server.port || (await freePort());
        try {
          server.child = await this.spawnServer(server, port);
          server.port = port;
          return;
        } catch (error) {
          lastError = error;
          if (server.port) break; // a restart keeps its port; another process took it meanwhile
        }
      }
      if (!this.closed) throw lastError instanceof Error ? lastError : new Error(String(lastError));
    })();
    return server.starting.finally(() => (server.starting = undefined));
  }

  private spawnServer(server: Server, port: number): Promise<ChildProcess> {
    const config = join(server.dir, 'redis.conf');
    const lines = [
      `bind ${LOOPBACK}`,
      `port ${port}`,
      `dir ${quote(server.dir)}`,
      'save ""',
      'appendonly no',
      'daemonize no',
      'logfile ""',
      'loglevel warning',
      'always-show-logo no',
    ];
    if (server.password !== '') lines.push(`requirepass ${quote(server.password)}`);
    // The config file, not the command line, carries the password: ps shows command lines to every user.
    writeFileSync(config, `${lines.join('\n')}\n`, { mode: 0o600 });
    // The shell waits on its stdin, which is our pipe: when the emulator dies without closing, the pipe
    // closes and the shell stops redis-server, so no server outlives its emulator.
    const child = spawn(
      'sh',
      [
        '-c',
        '"$1" "$2" & r=$!; trap \'kill $r 2>/dev/null\' TERM; read _ ; kill $r 2>/dev/null; wait $r',
        'sh',
        this.binary,
        config,
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + 10_000;
      const onExit = () => reject(new Error(`redis-server exited: ${stderr.trim() || 'no output'}`));
      child.once('exit', onExit);
      const poll = async () => {
        if (child.exitCode !== null) return;
        if ((await probeRedis({ host: LOOPBACK, port, password: server.password }, 1000)) === 'ok') {
          child.off('exit', onExit);
          child.once('exit', () => {
            if (server.child === child) server.child = undefined;
          });
          return resolve(child);
        }
        if (Date.now() > deadline) {
          child.stdin?.end();
          return reject(new Error(`redis-server on port ${port} did not answer PING`));
        }
        setTimeout(() => void poll(), 20);
      };
      setTimeout(() => void poll(), 10);
    });
  }
}

function stopChild(server: Server): Promise<void> {
  const child = server.child;
  if (!child) return Promise.resolve();
  server.child = undefined;
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.stdin?.end();
  });
}

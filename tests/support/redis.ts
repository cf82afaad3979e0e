import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A Redis of the tests' own (Debian's redis-server) on a free local port, persisting to a
 * temporary folder so that a restart keeps the queue, as a real farm's Redis does.
 */
export class TestRedis {
  private process: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'ganvas-redis-'));

  private constructor(
    readonly port: number,
    /** TLS only, with this password; `ca` is the authority clients must trust (NODE_EXTRA_CA_CERTS). */
    private readonly secure: { password: string; ca: string } | null,
  ) {}

  /** `tls`: a Redis that speaks only TLS, with a certificate from a test authority, and asks for a password. */
  static async start({ tls = false } = {}): Promise<TestRedis> {
    if (spawnSync('redis-server', ['--version']).error)
      throw new Error('redis-server is not installed (Debian: apt-get install redis-server); the farm tests need it.');
    const port = await freePort();
    const redis = new TestRedis(port, tls ? { password: 'farm-secret', ca: '' } : null);
    if (redis.secure) redis.secure.ca = redis.certificates();
    await redis.up();
    return redis;
  }

  get url(): string {
    return this.secure ? `rediss://:${this.secure.password}@localhost:${this.port}/0` : `redis://127.0.0.1:${this.port}/0`;
  }

  /** The file of the authority that signed the server's certificate. */
  get ca(): string {
    if (!this.secure) throw new Error('this Redis does not use TLS');
    return this.secure.ca;
  }

  /** A test authority, and a certificate for localhost signed by it (openssl). */
  private certificates(): string {
    const f = (name: string) => join(this.dir, name);
    const openssl = (...args: string[]) => {
      const r = spawnSync('openssl', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
    };
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Ganvas test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
    writeFileSync(f('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl(
      'x509',
      '-req',
      '-in',
      f('server.csr'),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f('san.ext'),
      '-out',
      f('server.pem'),
    );
    return f('ca.pem');
  }

  private async up(): Promise<void> {
    const listen = this.secure
      ? ['--port', '0', '--tls-port', String(this.port), '--tls-cert-file', join(this.dir, 'server.pem'), '--tls-key-file', join(this.dir, 'server.key')]
      : ['--port', String(this.port)];
    const auth = this.secure ? ['--tls-ca-cert-file', this.secure.ca, '--tls-auth-clients', 'no', '--requirepass', this.secure.password] : [];
    const persist = ['--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
    this.process = spawn('redis-server', [...listen, ...auth, '--bind', '127.0.0.1', ...persist], { stdio: 'ignore' });
    const ask = this.secure ? ['--tls', '--cacert', this.secure.ca, '-a', this.secure.password, '--no-auth-warning', '-h', 'localhost'] : [];
    for (let i = 0; i < 100; i++) {
      if (spawnSync('redis-cli', [...ask, '-p', String(this.port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** Stops Redis (its data is on disk) and starts it again on the same port, `downMs` later. */
  async restart(downMs: number): Promise<void> {
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.up();
  }

  async stop(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }
}

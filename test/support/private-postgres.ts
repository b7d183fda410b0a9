/**
 * A private PostgreSQL 15 server for one test: its own data folder (initdb as the postgres OS
 * user), its own port and socket folder, so it can be restarted without touching the shared server
 * on 5432 that other suites use. `dispose()` stops it and removes the folder.
 */
import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis-server.js';

const run = promisify(execFile);
const BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

export class PrivatePostgres {
  private dir = '';
  port = 0;

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Runs a server binary as the postgres OS user when we are root (initdb and postgres refuse root). */
  private async pg(binary: string, args: string[], timeoutMs = 60_000): Promise<string> {
    const asRoot = process.getuid?.() === 0;
    const cmd = asRoot ? 'runuser' : join(BIN, binary);
    const argv = asRoot ? ['-u', 'postgres', '--', join(BIN, binary), ...args] : args;
    const r = await run(cmd, argv, { timeout: timeoutMs });
    return r.stdout + r.stderr;
  }

  async init(): Promise<this> {
    this.dir = mkdtempSync(join(tmpdir(), 'paceline-pg-'));
    if (process.getuid?.() === 0) {
      const { uid, gid } = await this.postgresUser();
      chownSync(this.dir, uid, gid);
    }
    this.port = await freePort();
    await this.pg('initdb', [
      '-D',
      this.dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale',
      'C',
    ]);
    return this;
  }

  private async postgresUser(): Promise<{ uid: number; gid: number }> {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }

  private options(): string {
    return `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=50`;
  }

  /** Sets the next transaction id (server stopped): e.g. just below a power of ten. */
  async setNextXid(xid: number): Promise<void> {
    await this.pg('pg_resetwal', ['-x', String(xid), '-D', this.dataDir]);
  }

  async start(): Promise<void> {
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      this.options(),
      'start',
    ]);
  }

  /** pg_ctl restart -m fast: sessions are terminated, in-flight transactions roll back. */
  async restart(): Promise<void> {
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-m',
      'fast',
      '-o',
      this.options(),
      'restart',
    ]);
  }

  async stop(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDir, '-w', '-t', '30', '-m', 'immediate', 'stop']).catch(() => {});
  }

  async dispose(): Promise<void> {
    if (!this.dir) return;
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = '';
  }
}

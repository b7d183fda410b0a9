/**
 * Jest's global set-up: the services the tests talk to are up before the first test, or the run
 * stops at once with one line saying what to install. PostgreSQL and Redis are used where they
 * answer; otherwise they are started (the project's docker-compose.yml where a Docker engine runs,
 * else the locally installed servers). Chromium (the dashboard and PDF tests) must be installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import net from 'node:net';

const PG_URL = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const REDIS_URL = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const CHROMIUM = '/usr/bin/chromium';

/** Whether something accepts TCP connections at host:port within `ms`. */
function listening(host, port, ms = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const dockerEngine = () => has('docker') && spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;
const quiet = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

async function waitFor(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await listening(host, port, 250)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function stop(message) {
  // One line, then the run ends: no test waits on a service that is not there.
  process.stderr.write(`\npaceline tests: ${message}\n\n`);
  process.exit(1);
}

/** Starts PostgreSQL: Docker Compose, else the local cluster (Debian's pg_ctlcluster). */
function startPostgres() {
  if (dockerEngine()) return quiet('docker', ['compose', 'up', '-d', '--wait', 'postgres']) ? 'docker compose' : null;
  if (has('pg_ctlcluster') && existsSync('/etc/postgresql')) {
    const [version] = readdirSync('/etc/postgresql');
    if (version && quiet('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']))
      return 'pg_ctlcluster';
  }
  return null;
}

/** Starts Redis: Docker Compose, else the local redis-server (nothing kept on disk). */
function startRedis() {
  if (dockerEngine()) return quiet('docker', ['compose', 'up', '-d', '--wait', 'redis']) ? 'docker compose' : null;
  if (has('redis-server')) {
    const args = ['--daemonize', 'yes', '--bind', REDIS_URL.hostname, '--port', REDIS_URL.port || '6379'];
    if (quiet('redis-server', [...args, '--save', '', '--appendonly', 'no'])) return 'redis-server';
  }
  return null;
}

export default async function globalSetup() {
  const pgPort = PG_URL.port || '5432';
  if (!(await listening(PG_URL.hostname, pgPort))) {
    const how = startPostgres();
    if (!how || !(await waitFor(PG_URL.hostname, pgPort, 30)))
      stop(
        `PostgreSQL is not answering at ${PG_URL.host} and could not be started: install PostgreSQL 15 ` +
          '(apt-get install postgresql) or Docker, or set TEST_DATABASE_URL',
      );
    process.stderr.write(`paceline tests: started PostgreSQL (${how})\n`);
  }
  const redisPort = REDIS_URL.port || '6379';
  if (!(await listening(REDIS_URL.hostname, redisPort))) {
    const how = startRedis();
    if (!how || !(await waitFor(REDIS_URL.hostname, redisPort, 15)))
      stop(
        `Redis is not answering at ${REDIS_URL.host} and could not be started: install Redis 7 ` +
          '(apt-get install redis-server) or Docker, or set TEST_REDIS_URL',
      );
    process.stderr.write(`paceline tests: started Redis (${how})\n`);
  }
  // The fault tests start private servers of their own (restarts, outages): they need the binaries.
  const pgBin = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
  if (!existsSync(`${pgBin}/initdb`))
    stop(
      `PostgreSQL 15's server binaries are not in ${pgBin} (fault tests): apt-get install postgresql-15, or set PG_BIN_DIR`,
    );
  if (!has('redis-server')) stop('redis-server is not installed (fault tests): apt-get install redis-server');
  if (!existsSync(CHROMIUM))
    stop(`Chromium is not installed at ${CHROMIUM} (dashboard and PDF tests): apt-get install chromium fonts-noto-cjk`);
  // The compiled processes (CLI, worker) some tests start: built once, before the first test.
  execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: 'inherit' });
}

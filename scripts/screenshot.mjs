#!/usr/bin/env node
/**
 * Makes the README's dashboard picture: starts the API on a fresh embedded database, ingests the
 * sample year, closes its months, and photographs the department page in headless Chromium.
 *   node scripts/screenshot.mjs [docs/images/dashboard.png]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';

const out = process.argv[2] ?? 'docs/images/dashboard.png';
/** A port nothing listens on now. */
const port = await new Promise((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const base = `http://127.0.0.1:${port}`;
const data = mkdtempSync(path.join(tmpdir(), 'paceline-shot-'));
const api = spawn(process.execPath, ['dist/apps/api/main.js'], {
  env: {
    ...process.env,
    PORT: String(port),
    PACELINE_DATA_DIR: data,
    LOG_LEVEL: 'warn',
    DATABASE_URL: '',
    REDIS_URL: '',
  },
  stdio: 'inherit',
});

async function until(what, check) {
  for (let i = 0; i < 240; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

try {
  await until('the API', async () => (await fetch(`${base}/health/live`)).ok);
  const body = readFileSync('samples/yantian-emergency-2023.jsonl');
  const ingest = await fetch(`${base}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body,
  });
  if (!ingest.ok) throw new Error(`ingest answered ${ingest.status}`);
  await until('the projection', async () => (await fetch(`${base}/health/ready`)).ok);
  for (let month = 1; month <= 12; month++) {
    const r = await fetch(`${base}/api/v1/departments/yantian-emergency/years/2023/months/${month}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    if (!r.ok) throw new Error(`closing month ${month} answered ${r.status}`);
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
  await page.goto(`${base}/dashboard/yantian-emergency/2023?asOf=2023-09-30`, { waitUntil: 'networkidle' });
  await page.waitForTimeout(500);
  await page.screenshot({ path: out });
  await browser.close();
  console.log(`wrote ${out}`);
} finally {
  api.kill('SIGTERM');
  await new Promise((r) => api.once('exit', r));
  rmSync(data, { recursive: true, force: true });
}

/**
 * monitoring: the monitoring answer (docs/monitoring.md) and the finance bureau's roll-up, through
 * HTTP against the real API in its own process (bench/api-process.ts), every request prepared
 * before the clock and timed one at a time from here (send → last byte), `Accept-Encoding: gzip`.
 *
 * City part: CITY_DEPARTMENTS + 1 department-years of the city's shape (--units × --city-lines, 12
 * months, with the generator's v1.1 monitoring events: CITY_MONITORING projects × targets, monthly
 * progress, explanations and their follow-ups), loaded through the API's IngestService, projected.
 * The last one is only asked by the cold requests and the warm-up, so the warm series starts on
 * department-years the process has not read.
 *   first after load     the first monitoring request of the process that loaded and projected them
 *   fresh process ×N     the API restarted on the same database, caught up and idle; its first request
 *   warm, not cached     the last fresh process after a warm-up on other dates: each of the other
 *                        departments at every month end (asOf), each asked once, so each request
 *                        computes; split into the first question of each department-year (its facts
 *                        and monitoring events read) and the others (those kept by the process)
 *   cached               the same requests again (answers kept by the API)
 *   in process           the request's parts timed in this process on the same database (no HTTP):
 *                        facts, monitoring events (SQL), fold, report, wire, JSON, gzip
 * Roll-up part: --departments department-years of --units × --lines with ROLLUP_MONITORING, then
 * GET /api/v1/monitoring?year=…&asOf=…: first after load, fresh process ×N, and in the warm process
 * a new asOf (every row computes) followed by the same request again (cached), N times; and the
 * per-department parts in process for a sample.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import http from 'node:http';
import { loadavg } from 'node:os';
import { loadHolidayCalendar } from '#application/calendar/calendar.loader.js';
import { monitoringWire } from '#application/monitoring/monitoring.wire.js';
import type { HolidayCalendar } from '#domain/calendar/holiday-calendar.js';
import { streamId } from '#domain/events.js';
import { MONITORING_EVENT_TYPES, monitoringStateFrom } from '#domain/monitoring/monitoring-state.js';
import { monitoringReport } from '#domain/monitoring/monitoring.js';
import type { DatabaseHandle } from '#persistence/db.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { ExecutionRepository } from '#persistence/execution.repository.js';
import { answerCoverage, answersComplete, waitForAnswers } from '../answers.js';
import { startApi, type ApiProcess } from '../api-process.js';
import {
  cpuMark,
  cpuNote,
  cpuSince,
  log,
  now,
  percentile,
  row,
  waitQuiet,
  type BenchOptions,
  type ResultRow,
} from '../common.js';
import { createBenchDatabase, openPaceline, type BenchDatabase } from '../db.js';
import {
  countEvents,
  DEFAULT_YEAR,
  departmentSlug,
  Rng,
  type GenerateOptions,
  type MonitoringShape,
} from '../generate.js';
import { getJson } from '../http.js';

/** City-shaped department-years asked at every month end (12 × this many uncached requests); one more is loaded. */
export const CITY_DEPARTMENTS = 5;
/** The issue's city department: 10 projects × 5 targets. */
export const CITY_MONITORING: MonitoringShape = { projects: 10, indicators: 5 };
/** The roll-up's small department-years: a few projects with targets, progress and explanations. */
export const ROLLUP_MONITORING: MonitoringShape = { projects: 3, indicators: 3 };
/** Fresh API processes (cold answers) and warm roll-up repetitions. */
export const REPETITIONS = 5;
const YEAR = DEFAULT_YEAR;
const MONTH_ENDS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31].map(
  (d, i) => `${YEAR}-${String(i + 1).padStart(2, '0')}-${d}`,
);
/** The cold requests' date: not a month end, so never one of the warm series' questions. */
const COLD_AS_OF = `${YEAR}-07-20`;
/** The roll-up's cold date; the warm repetitions use the month ends before it. */
const ROLLUP_AS_OF = `${YEAR}-07-31`;

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

interface Timed {
  ms: number;
  status: number;
  /** Bytes on the wire (compressed when the API compressed). */
  bytes: number;
  body: Buffer;
}

/** GET with `Accept-Encoding: gzip`, timed from the call to the last byte (the body decoded after the clock). */
function timedGet(base: string, path: string): Promise<Timed> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const started = now();
    const req = http.request(
      {
        agent,
        method: 'GET',
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        headers: { 'accept-encoding': 'gzip' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = now() - started;
          const raw = Buffer.concat(chunks);
          const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
          resolve({ ms, status: res.statusCode ?? 0, bytes: raw.length, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function ok(base: string, path: string): Promise<Timed> {
  const r = await timedGet(base, path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
  return r;
}

/** min, p50, p99, max and mean of a sample (ms). */
export function spread(samples: readonly number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0] ?? null,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? null,
    mean: s.length ? s.reduce((a, b) => a + b, 0) / s.length : null,
  };
}

const ms = (x: number | null) => (x === null ? '–' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));

function spreadNote(samples: readonly number[]): string {
  const s = spread(samples);
  return `n ${s.n}: min ${ms(s.min)}, p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)}, mean ${ms(s.mean)} ms`;
}

const load = () => `load average ${loadavg()[0]!.toFixed(2)}`;

/** Waits (≤ maxSeconds) until the API process is idle: under 5% of a core over a second (warmers, precomputer done). */
async function apiIdle(api: ApiProcess, maxSeconds = 60): Promise<number> {
  const deadline = now() + maxSeconds * 1000;
  for (;;) {
    const a = (await api.stats()).cpuSeconds;
    await new Promise((r) => setTimeout(r, 1000));
    const used = (await api.stats()).cpuSeconds - a;
    if (used < 0.05 || now() >= deadline) return used;
  }
}

/** A fresh API process on the database: projection caught up, answers stored, idle. */
async function freshApi(db: BenchDatabase): Promise<{ api: ApiProcess; startSeconds: number }> {
  const t = now();
  const api = await startApi(db);
  for (;;) {
    const s = await getJson<{ projections: { behind: number }[] }>(api.base, '/api/v1/projections');
    if (s.projections.every((p) => p.behind === 0) && answersComplete(await answerCoverage(api.base))) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const startSeconds = (now() - t) / 1000;
  await apiIdle(api);
  return { api, startSeconds };
}

/** Before a timed series: the machine as quiet as it gets within 15 s; returns a note of its state. */
async function settle(): Promise<string> {
  const busy = await waitQuiet(15);
  return `machine busy ${busy.toFixed(2)} cores before, ${load()}`;
}

const monitoringPath = (d: number, asOf: string) =>
  `/api/v1/departments/${departmentSlug(d)}/years/${YEAR}/monitoring?asOf=${asOf}`;
const rollupPath = (asOf: string) => `/api/v1/monitoring?year=${YEAR}&asOf=${asOf}`;

/** A deterministic shuffle (the seed's PRNG), so months and departments are not asked in order. */
function shuffled<T>(items: T[], seed: number): T[] {
  const rng = new Rng(seed, 0x5f);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Answer {
  projects: { targets: unknown[] }[];
  departmentTargets: unknown[];
  explanations: unknown[];
  measures: unknown[];
  summary: Record<string, number>;
}

function describeAnswer(t: Timed): string {
  const a = JSON.parse(t.body.toString('utf8')) as Answer;
  const targets = a.projects.reduce((n, p) => n + p.targets.length, 0);
  return `answer ${(t.body.length / 1024).toFixed(0)} KB JSON (${(t.bytes / 1024).toFixed(0)} KB gzip): ${a.projects.length} projects, ${targets} project targets, ${a.departmentTargets.length} department targets, ${a.explanations.length} explanations, ${a.measures.length} measures; summary ${JSON.stringify(a.summary)}`;
}

interface Series {
  label: string;
  samples: number[];
  notes: string;
}

function seriesRow(o: BenchOptions, part: string, events: number, s: Series, rssMB?: number): ResultRow {
  const st = spread(s.samples);
  return row({
    ...(rssMB === undefined ? {} : { rssMB }),
    scenario: 'monitoring',
    variant: `${part}: ${s.label}`,
    backend: o.backend,
    events,
    seconds: s.samples.reduce((a, b) => a + b, 0) / 1000,
    eventsPerSec: null,
    p50: st.p50,
    p99: st.p99,
    notes: `${spreadNote(s.samples)}; ${s.notes}`,
    extra: { n: st.n, minMs: st.min ?? 0, maxMs: st.max ?? 0, meanMs: st.mean ?? 0 },
  });
}

/** The answer's parts in this process (no HTTP): where a computed request's time goes. */
async function inProcess(
  handle: DatabaseHandle,
  calendar: HolidayCalendar,
  questions: { d: number; asOf: string }[],
  warmup: number,
): Promise<Record<string, number[]>> {
  const facts = new ExecutionRepository(handle.db);
  const events = new EventsRepository(handle.db);
  const parts: Record<string, number[]> = {
    'facts (SQL + parse)': [],
    'monitoring events (SQL)': [],
    fold: [],
    report: [],
    wire: [],
    'JSON.stringify': [],
    'gzip (level 1)': [],
    total: [],
  };
  for (const [i, q] of questions.entries()) {
    const stream = streamId(departmentSlug(q.d), YEAR);
    const t0 = now();
    const f = await facts.loadFacts(stream);
    const t1 = now();
    const version = await facts.projectedVersion(stream);
    const t1b = now();
    const list = await events.readStreamTypes(stream, MONITORING_EVENT_TYPES, version);
    const t2 = now();
    const state = monitoringStateFrom(list);
    const t3 = now();
    const report = monitoringReport(f!, state, { asOf: q.asOf, knownOn: null }, calendar);
    const t4 = now();
    const wire = monitoringWire(report);
    const t5 = now();
    const json = JSON.stringify(wire);
    const t6 = now();
    gzipSync(Buffer.from(json, 'utf8'), { level: 1 });
    const t7 = now();
    if (i < warmup) continue;
    parts['facts (SQL + parse)']!.push(t1 - t0);
    parts['monitoring events (SQL)']!.push(t2 - t1b);
    parts.fold!.push(t3 - t2);
    parts.report!.push(t4 - t3);
    parts.wire!.push(t5 - t4);
    parts['JSON.stringify']!.push(t6 - t5);
    parts['gzip (level 1)']!.push(t7 - t6);
    parts.total!.push(t7 - t0 - (t1b - t1));
  }
  return parts;
}

function partsRows(o: BenchOptions, part: string, events: number, parts: Record<string, number[]>): ResultRow[] {
  const total = spread(parts.total ?? []).p50 ?? 1;
  return Object.entries(parts).map(([name, samples]) => {
    const st = spread(samples);
    return row({
      scenario: 'monitoring',
      variant: `${part}: in process, ${name}`,
      backend: o.backend,
      events,
      seconds: samples.reduce((a, b) => a + b, 0) / 1000,
      eventsPerSec: null,
      p50: st.p50,
      p99: st.p99,
      notes: `${spreadNote(samples)}${name === 'total' ? '' : `; ${Math.round((100 * (st.p50 ?? 0)) / total)}% of the total's p50`}`,
      extra: { n: st.n, minMs: st.min ?? 0, maxMs: st.max ?? 0 },
    });
  });
}

async function city(o: BenchOptions, calendar: HolidayCalendar): Promise<ResultRow[]> {
  const gen: GenerateOptions = {
    departments: CITY_DEPARTMENTS + 1,
    units: o.units,
    lines: o.cityLines,
    seed: o.seed,
    monitoring: CITY_MONITORING,
  };
  const part = `city dept ${o.units}×${o.cityLines}, ${CITY_MONITORING.projects}×${CITY_MONITORING.indicators}`;
  const events = countEvents(gen);
  // Every request prepared before any clock.
  const questions = shuffled(
    Array.from({ length: CITY_DEPARTMENTS }, (_, d) => MONTH_ENDS.map((asOf) => ({ d, asOf }))).flat(),
    o.seed,
  );
  const paths = questions.map((q) => monitoringPath(q.d, q.asOf));
  const firstOfDepartment = questions.map((q, i) => questions.findIndex((x) => x.d === q.d) === i);
  // The extra department: the cold requests and the warm-up (mid-month dates) ask only it.
  const spare = CITY_DEPARTMENTS;
  const warmupPaths = MONTH_ENDS.map((m) => monitoringPath(spare, m.slice(0, 8) + '15'));
  const coldPath = monitoringPath(spare, COLD_AS_OF);

  const db = await createBenchDatabase(o, 'monitoring_city');
  let api: ApiProcess | undefined;
  const out: ResultRow[] = [];
  try {
    api = await startApi(db);
    log(`monitoring ${o.backend}: ${CITY_DEPARTMENTS + 1} city departments, ${events} events, through the API process`);
    const seeded = await api.seed(gen, Math.max(o.batch, 1000));
    const stored = await waitForAnswers(api.base, now());
    await apiIdle(api);
    log(
      `  seeded ${seeded.accepted} events in ${seeded.ingestSeconds.toFixed(1)} s, caught up ${seeded.catchUpSeconds.toFixed(1)} s later, answers stored ${stored.seconds.toFixed(1)} s later`,
    );
    let note = await settle();
    const first = await ok(api.base, coldPath);
    const again = await ok(api.base, coldPath);
    out.push(
      seriesRow(o, part, events, {
        label: 'first after load',
        samples: [first.ms],
        notes: `the process that loaded ${seeded.accepted} events (ingest ${seeded.ingestSeconds.toFixed(1)} s, catch-up ${seeded.catchUpSeconds.toFixed(1)} s, precomputed answers stored ${stored.seconds.toFixed(1)} s later); asOf ${COLD_AS_OF}; the same request again ${ms(again.ms)} ms; ${describeAnswer(first)}; ${note}`,
      }),
    );
    await api.stop();
    api = undefined;

    const cold: number[] = [];
    const starts: number[] = [];
    const notes: string[] = [];
    for (let r = 0; r < REPETITIONS; r++) {
      if (api) await api.stop();
      const fresh = await freshApi(db);
      api = fresh.api;
      starts.push(fresh.startSeconds);
      notes.push((await settle()).replace('machine busy ', '').replace(' cores before, load average', '/'));
      cold.push((await ok(api.base, coldPath)).ms);
      log(`  fresh process ${r + 1}: ${ms(cold[cold.length - 1]!)} ms`);
    }
    out.push(
      seriesRow(o, part, events, {
        label: `fresh process ×${REPETITIONS}, first request`,
        samples: cold,
        notes: `in order ${cold.map(ms).join(', ')} ms; the API restarted on the loaded database each time (start to caught up and answers stored ${starts.map((s) => s.toFixed(1)).join(', ')} s), then idle; asOf ${COLD_AS_OF}; machine busy cores / load average before each: ${notes.join('; ')}`,
      }),
    );

    // The warm process: warm-up on mid-month dates, then every (department, month end) once, then again.
    const warm = api!;
    const warmup: number[] = [];
    for (const p of warmupPaths) warmup.push((await ok(warm.base, p)).ms);
    note = await settle();
    let mark = cpuMark();
    let before = await warm.stats();
    const computed: number[] = [];
    let sample: Timed | undefined;
    for (const p of paths) {
      const r = await ok(warm.base, p);
      computed.push(r.ms);
      sample ??= r;
    }
    let spent = cpuSince(mark);
    let after = await warm.stats();
    out.push(
      seriesRow(
        o,
        part,
        events,
        {
          label: `warm, not cached (${paths.length} requests)`,
          samples: computed,
          notes: `each (department, month-end asOf) of ${CITY_DEPARTMENTS} departments asked once, one at a time, in a shuffled order, after ${warmupPaths.length} warm-up requests on another department (mid-month dates: ${warmup.map(ms).join(', ')} ms); API CPU ${(after.cpuSeconds - before.cpuSeconds).toFixed(2)} s, ${cpuNote(spent, after.cpuSeconds - before.cpuSeconds, 'bench')}; API GC longest ${Math.round(after.gcRecentMaxPauseMs)} ms; ${note}; first: ${describeAnswer(sample!)}`,
        },
        after.maxRssMB,
      ),
      seriesRow(o, part, events, {
        label: `warm, not cached, first question of its department-year (${CITY_DEPARTMENTS} of them)`,
        samples: computed.filter((_, i) => firstOfDepartment[i]),
        notes: 'the same series: the requests that read their department-year (facts and monitoring events)',
      }),
      seriesRow(o, part, events, {
        label: `warm, not cached, department-year read before (${paths.length - CITY_DEPARTMENTS} of them)`,
        samples: computed.filter((_, i) => !firstOfDepartment[i]),
        notes:
          'the same series: the requests computed from the facts and events the process kept for that stream version',
      }),
    );
    note = await settle();
    mark = cpuMark();
    before = await warm.stats();
    const cached: number[] = [];
    for (const p of paths) cached.push((await ok(warm.base, p)).ms);
    spent = cpuSince(mark);
    after = await warm.stats();
    out.push(
      seriesRow(o, part, events, {
        label: `cached (${paths.length} requests)`,
        samples: cached,
        notes: `the same requests again: kept bytes; API CPU ${(after.cpuSeconds - before.cpuSeconds).toFixed(2)} s, ${cpuNote(spent, after.cpuSeconds - before.cpuSeconds, 'bench')}; ${note}`,
      }),
    );
    await warm.stop();
    api = undefined;

    // The same answers' parts in this process, on the same database (the API stopped: PGlite has one owner).
    const handle = await openPaceline(db);
    try {
      const parts = await inProcess(handle, calendar, [...questions.slice(0, 12), ...questions], 12);
      out.push(...partsRows(o, part, events, parts));
    } finally {
      await handle.close();
    }
    return out;
  } finally {
    await api?.stop().catch(() => undefined);
    await db.drop();
  }
}

async function rollup(o: BenchOptions, calendar: HolidayCalendar): Promise<ResultRow[]> {
  const gen: GenerateOptions = {
    departments: o.departments,
    units: o.units,
    lines: o.lines,
    seed: o.seed,
    monitoring: ROLLUP_MONITORING,
  };
  const part = `roll-up of ${o.departments} depts ${o.units}×${o.lines}, ${ROLLUP_MONITORING.projects}×${ROLLUP_MONITORING.indicators}`;
  const events = countEvents(gen);
  const cold = rollupPath(ROLLUP_AS_OF);
  const warmDates = MONTH_ENDS.slice(0, 6);
  const repetitions = Math.max(REPETITIONS, warmDates.length);
  const db = await createBenchDatabase(o, 'monitoring_rollup');
  let api: ApiProcess | undefined;
  const out: ResultRow[] = [];
  const check = (t: Timed) => {
    const r = JSON.parse(t.body.toString('utf8')) as { departments: { summary: Record<string, number> }[] };
    if (r.departments.length !== o.departments)
      throw new Error(`the roll-up lists ${r.departments.length} department-years, not ${o.departments}`);
    const worst = r.departments[0]!.summary;
    return `${(t.body.length / 1024).toFixed(0)} KB JSON, ${r.departments.length} rows, worst ${JSON.stringify(worst)}`;
  };
  try {
    api = await startApi(db);
    log(`monitoring ${o.backend}: roll-up of ${o.departments} departments, ${events} events`);
    const seeded = await api.seed(gen, Math.max(o.batch, 1000));
    const stored = await waitForAnswers(api.base, now());
    await apiIdle(api, 120);
    log(
      `  seeded ${seeded.accepted} events in ${seeded.ingestSeconds.toFixed(1)} s, caught up ${seeded.catchUpSeconds.toFixed(1)} s later, answers stored ${stored.seconds.toFixed(1)} s later`,
    );
    let note = await settle();
    let mark = cpuMark();
    const first = await ok(api.base, cold);
    let spent = cpuSince(mark);
    out.push(
      seriesRow(o, part, events, {
        label: 'first after load',
        samples: [first.ms],
        notes: `the process that loaded ${seeded.accepted} events (ingest ${seeded.ingestSeconds.toFixed(1)} s, catch-up ${seeded.catchUpSeconds.toFixed(1)} s, answers stored ${stored.seconds.toFixed(1)} s later); asOf ${ROLLUP_AS_OF}; ${check(first)}; ${cpuNote(spent, 0, 'bench')}; ${note}`,
      }),
    );
    await api.stop();
    api = undefined;

    const colds: number[] = [];
    const notes: string[] = [];
    const cpu: string[] = [];
    for (let r = 0; r < REPETITIONS; r++) {
      if (api) await api.stop();
      api = (await freshApi(db)).api;
      notes.push((await settle()).replace('machine busy ', '').replace(' cores before, load average', '/'));
      const before = await api.stats();
      mark = cpuMark();
      const t = await ok(api.base, cold);
      spent = cpuSince(mark);
      const after = await api.stats();
      cpu.push(`API ${(after.cpuSeconds - before.cpuSeconds).toFixed(2)} s, pg ${spent.pgCpu.toFixed(2)} s`);
      colds.push(t.ms);
      log(`  roll-up, fresh process ${r + 1}: ${ms(t.ms)} ms`);
    }
    out.push(
      seriesRow(o, part, events, {
        label: `fresh process ×${REPETITIONS}, first roll-up`,
        samples: colds,
        notes: `in order ${colds.map(ms).join(', ')} ms; CPU per request ${cpu.join('; ')}; machine busy cores / load average before each: ${notes.join('; ')}`,
      }),
    );

    const warm = api!;
    const computed: number[] = [];
    const cached: number[] = [];
    const warmCpu: string[] = [];
    note = await settle();
    for (let r = 0; r < repetitions; r++) {
      const path = rollupPath(warmDates[r % warmDates.length]!);
      const before = await warm.stats();
      mark = cpuMark();
      const t = await ok(warm.base, path);
      spent = cpuSince(mark);
      const after = await warm.stats();
      check(t);
      computed.push(t.ms);
      warmCpu.push(`API ${(after.cpuSeconds - before.cpuSeconds).toFixed(2)} s, pg ${spent.pgCpu.toFixed(2)} s`);
      cached.push((await ok(warm.base, path)).ms);
    }
    out.push(
      seriesRow(o, part, events, {
        label: `warm, new asOf ×${repetitions}`,
        samples: computed,
        notes: `asOf ${warmDates.join(', ')} (every row computes; interleaved with the cached repeat below); in order ${computed.map(ms).join(', ')} ms; CPU per request ${warmCpu.join('; ')}; ${note}`,
      }),
    );
    out.push(
      seriesRow(o, part, events, {
        label: `cached ×${repetitions}`,
        samples: cached,
        notes: `each right after its computed request, same parameters: every row kept; in order ${cached.map(ms).join(', ')} ms`,
      }),
    );
    await warm.stop();
    api = undefined;

    const handle = await openPaceline(db);
    try {
      const sample = Math.min(o.departments, 100);
      const qs = Array.from({ length: sample }, (_, d) => ({ d, asOf: ROLLUP_AS_OF }));
      const parts = await inProcess(handle, calendar, [...qs.slice(0, 10), ...qs], 10);
      out.push(...partsRows(o, `${part} (${sample} depts)`, events, parts));
    } finally {
      await handle.close();
    }
    return out;
  } finally {
    await api?.stop().catch(() => undefined);
    await db.drop();
  }
}

export async function monitoring(o: BenchOptions): Promise<ResultRow[]> {
  const calendar = loadHolidayCalendar();
  const out = await city(o, calendar);
  out.push(...(await rollup(o, calendar)));
  agent.destroy();
  return out;
}

/**
 * Precomputed answers (exec_answers, migration 0009): each stream's default execution answer and
 * evaluation report, and the two parts of them the department list shows (the standing: the
 * execution answer without lines; the evaluation summary), as gzip-compressed UTF-8 JSON, with the
 * parameters, stream version and answer format each was computed for. The API sends a body as it
 * is: compressed, it is a fraction of the JSON, which was slow to fetch as text.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { intArrayLiteral, textArrayLiteral } from './pg-arrays.js';

export type AnswerKind = 'execution' | 'standing' | 'summary' | 'evaluation';
export const ANSWER_KINDS: readonly AnswerKind[] = ['execution', 'standing', 'summary', 'evaluation'];

/** One precomputed answer. */
export interface StoredAnswer {
  stream: string;
  kind: AnswerKind;
  /** The resolved parameters, as the service keys them (JSON text). */
  params: string;
  format: number;
  /** The stream version the answer holds every event of (and none after). */
  version: number;
  /** gzip-compressed UTF-8 JSON. */
  body: Buffer;
}

/**
 * Answers computed from one snapshot and the token of the read-model row they were computed from
 * (what `save` takes).
 */
export interface Precomputed {
  answers: StoredAnswer[];
  token: string;
}

/** A projected stream and what is stored for it. */
export interface AnswerState {
  stream: string;
  department: string;
  year: number;
  /** The projection's version of the stream. */
  projectedVersion: number;
  stored: Partial<Record<AnswerKind, { params: string; format: number; version: number }>>;
}

/** pg gives a Buffer, PGlite a Uint8Array. */
function bodyBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export class AnswersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The body (gzip) stored for exactly this stream, kind, parameters, version and format; else null. */
  async find(
    stream: string,
    kind: AnswerKind,
    params: string,
    version: number,
    format: number,
  ): Promise<Buffer | null> {
    const row = await this.db
      .selectFrom('exec_answers')
      .select('body')
      .where('stream_id', '=', stream)
      .where('kind', '=', kind)
      .where('params', '=', params)
      .where('version', '=', version)
      .where('format', '=', format)
      .executeTakeFirst();
    return row ? bodyBuffer(row.body) : null;
  }

  /**
   * The bodies (gzip) stored for many streams at once, each for exactly its parameters and
   * version, in this kind and format (one query: the department list reads every department's
   * standing and summary so). Streams without such an answer are absent.
   */
  async findMany(
    kind: AnswerKind,
    format: number,
    wanted: readonly { stream: string; params: string; version: number }[],
  ): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    if (wanted.length === 0) return out;
    const rows = await sql<{ stream_id: string; body: Uint8Array }>`
      select a.stream_id, a.body
      from unnest(${textArrayLiteral(wanted.map((w) => w.stream))}::text[], ${textArrayLiteral(wanted.map((w) => w.params))}::text[],
                  ${intArrayLiteral(wanted.map((w) => w.version))}::int[]) as w(stream_id, params, version)
      join exec_answers a on a.stream_id = w.stream_id and a.kind = ${kind} and a.params = w.params and a.version = w.version and a.format = ${format}`.execute(
      this.db,
    );
    for (const r of rows.rows) out.set(r.stream_id, bodyBuffer(r.body));
    return out;
  }

  /**
   * Inserts or replaces the stream's answers of those kinds (one statement), unless the stream's
   * head row changed since their inputs were read (`token`, see
   * ExecutionRepository.loadVersionedFacts): answers computed from a read model that a rebuild or
   * the projector has since replaced are never stored. True when stored.
   */
  async save(answers: readonly StoredAnswer[], token: string): Promise<boolean> {
    const stream = answers[0]?.stream;
    if (stream === undefined || answers.some((a) => a.stream !== stream))
      throw new Error('save: answers of one stream, at least one');
    const rows = sql.join(
      answers.map((a) => sql`(${a.kind}, ${a.params}, ${a.format}::int, ${a.version}::int, ${a.body}::bytea)`),
    );
    const r = await sql`
      insert into exec_answers (stream_id, kind, params, format, version, body)
      select ${stream}, v.kind, v.params, v.format, v.version, v.body from (values ${rows}) as v(kind, params, format, version, body)
      where exists (select 1 from exec_streams where stream_id = ${stream} and xmin::text = ${token})
      on conflict (stream_id, kind) do update
        set params = excluded.params, format = excluded.format, version = excluded.version, body = excluded.body, computed_at = now()`.execute(
      this.db,
    );
    return Number(r.numAffectedRows ?? 0) > 0;
  }

  /** Every projected stream with the parameters, format and version of what is stored for it. */
  async states(): Promise<AnswerState[]> {
    const rows = await this.db
      .selectFrom('exec_streams as s')
      .leftJoin('exec_answers as a', 'a.stream_id', 's.stream_id')
      .select([
        's.stream_id',
        's.department',
        's.year',
        's.projected_version',
        'a.kind',
        'a.params',
        'a.format',
        'a.version',
      ])
      .orderBy('s.stream_id')
      .execute();
    const out = new Map<string, AnswerState>();
    for (const r of rows) {
      let state = out.get(r.stream_id);
      if (!state)
        out.set(
          r.stream_id,
          (state = {
            stream: r.stream_id,
            department: r.department,
            year: r.year,
            projectedVersion: Number(r.projected_version),
            stored: {},
          }),
        );
      // An answer row (kind set) has its params: the column is not null.
      if (r.kind !== null && r.params !== null)
        state.stored[r.kind as AnswerKind] = {
          params: r.params,
          format: Number(r.format),
          version: Number(r.version),
        };
    }
    return [...out.values()];
  }

  /**
   * Projected streams, and how many of them have an answer of each kind stored for their projected
   * version in this format.
   */
  async coverage(format: number): Promise<{ streams: number } & Record<AnswerKind, number>> {
    const stored = (kind: AnswerKind) => sql<string>`count(*) filter (where exists (
      select 1 from exec_answers a where a.stream_id = s.stream_id and a.kind = ${kind} and a.version = s.projected_version and a.format = ${format}))`;
    const row = (await this.db
      .selectFrom('exec_streams as s')
      .select((eb) => [eb.fn.countAll<string>().as('streams'), ...ANSWER_KINDS.map((kind) => stored(kind).as(kind))])
      .executeTakeFirstOrThrow()) as Record<string, string>;
    return {
      streams: Number(row.streams),
      ...(Object.fromEntries(ANSWER_KINDS.map((kind) => [kind, Number(row[kind])])) as Record<AnswerKind, number>),
    };
  }
}

/**
 * COPY … FROM STDIN through node-postgres without pg-copy-streams: pg's Client accepts any
 * "submittable" (an object with submit(connection)) and hands it the CopyInResponse, so the copy
 * data can be written with the connection's own sendCopyFromChunk / endCopyFrom.
 */
import type pg from 'pg';

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

class CopyFromStdin {
  callback?: (err: Error | null) => void;
  private rowCount = 0;
  private error: Error | null = null;

  constructor(
    private readonly text: string,
    private readonly chunks: Buffer[],
    private readonly done: (err: Error | null, rows: number) => void,
  ) {}

  submit(connection: PgConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: PgConnection): void {
    for (const c of this.chunks) connection.sendCopyFromChunk(c);
    connection.endCopyFrom();
  }

  handleCommandComplete(msg: { text?: string }): void {
    const m = /COPY (\d+)/.exec(msg.text ?? '');
    if (m) this.rowCount = Number(m[1]);
  }

  handleReadyForQuery(): void {
    this.done(this.error, this.rowCount);
  }

  handleError(err: Error): void {
    // pg clears the active query on an error, so ReadyForQuery will not reach us: settle now.
    this.error = err;
    this.done(err, 0);
  }

  // Messages a COPY FROM never receives, but pg may call on any active query.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Runs `COPY … FROM STDIN` (text format) with the given rows (already escaped, tab-separated, \n-terminated). */
export function copyFrom(client: pg.Client | pg.PoolClient, sql: string, data: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const q = new CopyFromStdin(sql, [Buffer.from(data, 'utf8')], (err, rows) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(rows);
    });
    (client as unknown as { query(s: unknown): void }).query(q);
  });
}

/** Escapes a value for COPY text format; null → \N. */
export function copyText(value: string | number | null): string {
  if (value === null) return '\\N';
  const s = String(value);
  if (!/[\\\t\n\r]/.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

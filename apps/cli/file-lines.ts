/**
 * A file's lines, read as a stream (a city-sized NDJSON file is larger than V8's largest string,
 * so it cannot be read whole).
 *
 * Lines end at "\n" only, exactly as `readFileSync(file, 'utf8').split('\n')` would cut them, so
 * line numbers in reports stay what they were (readline would also end lines at a lone "\r").
 * Each line is decoded on its own; "\n" never occurs inside a UTF-8 sequence, so the text (with
 * U+FFFD for undecodable bytes) is the same as decoding the whole file first.
 */
import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';

export class FileLines implements AsyncIterable<string> {
  /** Bytes of the lines handed out so far (newlines included). */
  bytesRead = 0;
  /** True once the last line has been handed out. */
  finished = false;
  readonly size: number;
  private readonly fd: number;

  /** Opens the file; throws the error readFileSync would (ENOENT, EACCES, EISDIR, …) when it cannot be read. */
  constructor(file: string) {
    this.fd = openSync(file, 'r');
    const st = fstatSync(this.fd);
    if (st.isDirectory()) {
      closeSync(this.fd);
      throw Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' });
    }
    this.size = st.size;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    let rest: Buffer | undefined;
    for await (const chunk of createReadStream('', { fd: this.fd, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      let start = 0;
      let nl = chunk.indexOf(10);
      if (nl !== -1 && rest) {
        // The line that straddles chunks.
        const line = Buffer.concat([rest, chunk.subarray(0, nl)]);
        rest = undefined;
        this.bytesRead += line.length + 1;
        yield line.toString('utf8');
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      while (nl !== -1) {
        this.bytesRead += nl - start + 1;
        yield chunk.toString('utf8', start, nl);
        start = nl + 1;
        nl = chunk.indexOf(10, start);
      }
      if (start < chunk.length)
        rest = rest ? Buffer.concat([rest, chunk.subarray(start)]) : Buffer.from(chunk.subarray(start));
    }
    // The text after the last "\n" (split gives it, even when empty).
    const last = rest ?? Buffer.alloc(0);
    this.bytesRead += last.length;
    this.finished = true;
    yield last.toString('utf8');
  }

  /**
   * Event lines expected in the whole file, from `linesSoFar` (event lines among the bytes read so
   * far), for a progress bar: the count itself once the file has been read to the end.
   */
  estimateTotal(linesSoFar: number): number {
    if (this.finished || this.bytesRead === 0) return linesSoFar;
    return Math.max(linesSoFar, Math.round((linesSoFar * this.size) / this.bytesRead));
  }
}

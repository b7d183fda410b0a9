/** A one-line progress bar on stderr (redrawn in place on a terminal, a few plain lines otherwise). */
export class ProgressBar {
  private lastPrinted = -1;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number, detail = ''): void {
    const ratio = total === 0 ? 1 : done / total;
    const width = 30;
    const filled = Math.round(ratio * width);
    const line = `${this.label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} ${detail}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
      if (done >= total) this.stream.write('\n');
      return;
    }
    const decile = Math.floor(ratio * 10);
    if (decile !== this.lastPrinted) {
      this.lastPrinted = decile;
      this.stream.write(`${line}\n`);
    }
  }
}

/**
 * The one-line progress display of `ferry run` and `ferry replicate`: on a terminal the line is redrawn in place; in
 * a log (not a TTY) a changed line is printed at most every 5 s, or at once when `force` says the states changed.
 */
export class ProgressPrinter {
  readonly interactive: boolean;
  private lastPrinted = 0;
  private lastLine = '';

  constructor(json: boolean) {
    this.interactive = process.stderr.isTTY === true && !json;
  }

  /** How often the caller should refresh the line. */
  get intervalMs(): number {
    return this.interactive ? 500 : 5000;
  }

  print(line: string, force = false): void {
    if (this.interactive) {
      process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 160) - 1)}`);
      return;
    }
    const now = Date.now();
    if ((force || now - this.lastPrinted >= 5000) && line !== this.lastLine) {
      process.stderr.write(`${line}\n`);
      this.lastPrinted = now;
      this.lastLine = line;
    }
  }

  /** Ends the live line, then prints the final one unless a log already shows it. */
  finish(line: string, json: boolean): void {
    if (this.interactive) process.stderr.write('\n');
    if (!json && line !== this.lastLine) process.stderr.write(`${line}\n`);
  }
}

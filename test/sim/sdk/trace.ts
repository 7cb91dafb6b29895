/** The trace of a run: every event hashed in order; the last 500 kept for a failure report. */
import { createHash } from 'node:crypto';

const TAIL = 500;

export class Trace {
  private readonly hash = createHash('sha256');
  private readonly tail: string[] = [];
  events = 0;
  constructor(private readonly now: () => number) {}

  add(line: string): void {
    this.events++;
    const entry = `${this.now()} ${line}`;
    this.hash.update(entry);
    this.hash.update('\n');
    this.tail.push(entry);
    if (this.tail.length > TAIL) this.tail.shift();
  }

  digest(): string {
    return this.hash.copy().digest('hex').slice(0, 16);
  }

  last(): string[] {
    return [...this.tail];
  }
}

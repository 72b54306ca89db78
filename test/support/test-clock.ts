import { Clock } from '../../src/common/clock';

// A clock a test sets: it stands still at `set` and moves only by `advance`, until `release` lets it follow real time.
export class TestClock extends Clock {
  private fixedMs: number | null = null;

  override nowMs(): number {
    return this.fixedMs ?? Date.now();
  }

  set(at: Date | string | number): this {
    this.fixedMs = new Date(at).getTime();
    return this;
  }

  advance(ms: number): this {
    this.fixedMs = this.nowMs() + ms;
    return this;
  }

  release(): this {
    this.fixedMs = null;
    return this;
  }
}

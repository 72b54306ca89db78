import { Injectable } from '@nestjs/common';

// The one source of the current time. Code asks this clock, never `new Date()` or `Date.now()`, so that a test can
// set the time (test/support/test-clock.ts) and everything the app does at once agrees on it.
@Injectable()
export class Clock {
  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return Date.now();
  }
}

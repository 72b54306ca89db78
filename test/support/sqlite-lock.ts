import { spawn } from 'node:child_process';

export interface HeldLock {
  // Resolves once the other process holds the lock.
  held: Promise<void>;
  // Resolves once it committed and exited.
  released: Promise<void>;
}

// Another process (an admin's sqlite3 shell, a backup) holding `BEGIN EXCLUSIVE` on the database for `ms`.
export function holdExclusiveLock(file: string, ms: number): HeldLock {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN EXCLUSIVE');
    process.stdout.write('held\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[2]));`;
  const child = spawn(process.execPath, ['-e', script, file, String(ms)], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const held = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`The lock holder exited with ${code} before holding the lock`)));
  });
  const released = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { held, released };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATION_NAMES } from '../database/data-source-options';

export const LATEST_MIGRATION = MIGRATION_NAMES[MIGRATION_NAMES.length - 1];

export const APP_VERSION = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;

// A backup made by this version or an older one can be restored (the migrations bring it up to date when the app
// starts); one whose schema this app does not know was made by a newer version. Returns the refusal, or null.
export function schemaRefusal(schemaVersion: string): string | null {
  if (MIGRATION_NAMES.includes(schemaVersion)) return null;
  return `its schema (${schemaVersion}) is not one this version knows (up to ${LATEST_MIGRATION}): it was made by a newer version of MCA Manager, which restores it`;
}

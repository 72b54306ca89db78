import { inWords } from './audit-actions';

// One readable line of an event's details: a label, and a text or a time.
export interface DetailField {
  label: string;
  text: string;
  time?: Date;
}

// Keys whose words are not just their spelling; any other key reads as its camelCase or snake_case split in words.
const KEY_LABELS: Record<string, string> = {
  ip: 'Network address',
  pcAttestationId: 'Partner Center attestation id',
  appId: 'App id',
  requireAcceptedFrom: 'Require acceptance on or after',
  reacceptance: 'Re-acceptance needed',
  unreadable: 'Microsoft could not be read',
  trigger: 'Started by',
  bytes: 'Size in bytes',
  rows: 'Rows',
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
// Deeper than this, a value is shown as its JSON text: details are a few flat facts, not documents.
const MAX_DEPTH = 3;

export const keyLabel = (key: string): string =>
  Object.hasOwn(KEY_LABELS, key) ? KEY_LABELS[key] : inWords(key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase());

const isPlain = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function scalar(label: string, value: unknown): DetailField {
  if (value === null || value === undefined || value === '') return { label, text: '–' };
  if (typeof value === 'boolean') return { label, text: value ? 'Yes' : 'No' };
  if (typeof value === 'string' && ISO_TIME.test(value)) {
    const time = new Date(value);
    if (!Number.isNaN(time.getTime())) return { label, text: value, time };
  }
  return { label, text: typeof value === 'string' ? value : JSON.stringify(value) };
}

// An event's data as label–value lines, nested objects flattened into "Outer › inner" labels and lists of plain
// values joined, whatever keys the event holds.
export function detailFields(data: Record<string, unknown>): DetailField[] {
  const fields: DetailField[] = [];
  const walk = (label: string, value: unknown, depth: number) => {
    if (Array.isArray(value)) {
      if (value.length === 0) fields.push({ label, text: 'none' });
      else if (value.every((item) => !isPlain(item) && !Array.isArray(item)))
        fields.push({ label, text: value.map((item) => scalar(label, item).text).join(', ') });
      else if (depth >= MAX_DEPTH) fields.push({ label, text: JSON.stringify(value) });
      else value.forEach((item, index) => walk(`${label} ${index + 1}`, item, depth + 1));
    } else if (isPlain(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0) fields.push({ label, text: '–' });
      else if (depth >= MAX_DEPTH) fields.push({ label, text: JSON.stringify(value) });
      else for (const [key, item] of entries) walk(`${label} › ${keyLabel(key)}`, item, depth + 1);
    } else fields.push(scalar(label, value));
  };
  for (const [key, value] of Object.entries(data)) walk(keyLabel(key), value, 1);
  return fields;
}

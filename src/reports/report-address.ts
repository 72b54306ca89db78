import { isEmail } from 'class-validator';

export const MAX_RECIPIENTS = 20;

// One recipient's address, checked before anything is stored or queued: a line break would let a value add mail
// headers (Bcc: …), and a list where one address is expected would send the report to people nobody chose.
export function checkAddress(raw: unknown): { address: string } | { error: string } {
  if (typeof raw !== 'string' || raw.trim() === '') return { error: 'Enter an email address' };
  if (/[\r\n]/.test(raw)) return { error: 'An email address cannot contain a line break' };
  const value = raw.trim();
  if (value.length > 254) return { error: 'An email address is at most 254 characters' };
  if (/[,;\s]/.test(value) || (value.match(/@/g) ?? []).length > 1)
    return { error: 'Enter one email address only: the report goes to one address here' };
  if (!isEmail(value, { allow_display_name: false, require_tld: true }))
    return { error: 'Enter a valid email address, like name@example.com' };
  return { address: value.toLowerCase() };
}

// A schedule's recipients: one address a line (commas and semicolons also separate), each checked, no repeats.
export function checkAddressList(raw: unknown): { addresses: string[] } | { error: string } {
  if (typeof raw !== 'string' || raw.trim() === '') return { error: 'Enter at least one email address' };
  const parts = raw
    .split(/[\s,;]+/)
    .map((part) => part.trim())
    .filter(Boolean);
  const addresses: string[] = [];
  for (const part of parts) {
    const checked = checkAddress(part);
    if ('error' in checked) return { error: `${part.slice(0, 80)}: ${checked.error}` };
    if (!addresses.includes(checked.address)) addresses.push(checked.address);
  }
  if (addresses.length > MAX_RECIPIENTS) return { error: `At most ${MAX_RECIPIENTS} recipients` };
  return { addresses };
}

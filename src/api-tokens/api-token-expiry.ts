import { ValidationFailedError } from '../common/domain-errors';

// When a new token stops working: never, a number of days from now, or at the start (UTC) of a chosen date.
export const API_TOKEN_EXPIRY_CHOICES = ['never', '30', '90', '365', 'date'] as const;
export type ApiTokenExpiryChoice = (typeof API_TOKEN_EXPIRY_CHOICES)[number];

export const API_TOKEN_EXPIRY_LABELS: Record<ApiTokenExpiryChoice, string> = {
  never: 'Never',
  '30': 'In 30 days',
  '90': 'In 90 days',
  '365': 'In a year (365 days)',
  date: 'On a date',
};

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// The expiry of a choice made at `now`; a date that is not a real one, or not after today, is refused next to it.
export function expiryOf(choice: ApiTokenExpiryChoice, date: string | undefined, now: Date): Date | null {
  if (choice === 'never') return null;
  if (choice !== 'date') return new Date(now.getTime() + Number(choice) * DAY_MS);
  const text = date?.trim() ?? '';
  if (!text) throw new ValidationFailedError({ expiresOn: 'Choose the date the token stops working' });
  const match = DATE.exec(text);
  const at = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!at || at.toISOString().slice(0, 10) !== text)
    throw new ValidationFailedError({ expiresOn: 'Enter a real date, like 2027-01-31' });
  if (at <= now) throw new ValidationFailedError({ expiresOn: 'Choose a date after today' });
  return at;
}

export type ApiTokenStatus = 'active' | 'expired' | 'revoked';

export const API_TOKEN_STATUS_LABELS: Record<ApiTokenStatus, string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
};

export function statusOf(token: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): ApiTokenStatus {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && token.expiresAt <= now) return 'expired';
  return 'active';
}

// Who a report may be mailed to: the requester's own address (a schedule's: its owner's), or an address in a
// domain the broker's admin allows. A domain allows itself only: "contoso.com" allows a@contoso.com, not
// a@sales.contoso.com (list that one too), a@evil-contoso.com or a@contoso.com.evil.test.

export const MAX_RECIPIENT_DOMAINS = 50;
const MAX_DOMAIN_LENGTH = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LABEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

function checkDomain(raw: string): { domain: string } | { error: string } {
  const domain = raw.toLowerCase().replace(/^@/, '').replace(/\.$/, '');
  const shown = raw.slice(0, 80);
  if (domain.includes('*'))
    return { error: `${shown}: no wildcards; list each domain (a domain does not include its subdomains)` };
  if (domain.includes('@')) return { error: `${shown}: enter the domain only, like contoso.com` };
  const labels = domain.split('.');
  if (
    domain.length > MAX_DOMAIN_LENGTH ||
    labels.length < 2 ||
    !labels.every((label) => LABEL.test(label)) ||
    !TOP_LABEL.test(labels[labels.length - 1])
  )
    return { error: `${shown}: not a domain name; enter one like contoso.com (international names in xn-- form)` };
  return { domain };
}

// The admin's list: one domain a line (commas, semicolons and spaces also separate), lower-cased, no repeats.
export function checkDomainList(raw: unknown): { domains: string[] } | { error: string } {
  if (raw !== undefined && typeof raw !== 'string') return { error: 'Enter the domains as text, one a line' };
  const domains: string[] = [];
  for (const part of (raw ?? '').split(/[\s,;]+/).filter(Boolean)) {
    const checked = checkDomain(part);
    if ('error' in checked) return checked;
    if (!domains.includes(checked.domain)) domains.push(checked.domain);
  }
  if (domains.length > MAX_RECIPIENT_DOMAINS) return { error: `At most ${MAX_RECIPIENT_DOMAINS} domains` };
  return { domains };
}

export const domainsFromText = (stored: string): string[] => stored.split('\n').filter(Boolean);

// The requester's (or the schedule owner's) own address, lower-cased, and the broker's allowed domains.
export interface RecipientPolicy {
  own: string | null;
  domains: readonly string[];
}

// `address` is a checked, lower-cased address (report-address.ts).
export function isAllowedRecipient(address: string, policy: RecipientPolicy): boolean {
  if (address === policy.own) return true;
  return policy.domains.includes(address.slice(address.lastIndexOf('@') + 1));
}

export function splitRecipients(addresses: readonly string[], policy: RecipientPolicy) {
  return {
    allowed: addresses.filter((address) => isAllowedRecipient(address, policy)),
    refused: addresses.filter((address) => !isAllowedRecipient(address, policy)),
  };
}

// What a refusal says, next to the field.
export function recipientRule(policy: RecipientPolicy, whose: 'your' | "the schedule owner's"): string {
  const own = policy.own ? `${whose} own address (${policy.own})` : '';
  if (policy.domains.length === 0)
    return policy.own
      ? `Reports go only to ${own}; an admin can allow your organisation's domains in the report settings.`
      : 'Reports go only to addresses in the domains an admin allows in the report settings, and none is allowed yet.';
  return `Reports go only to ${own}${policy.own ? ' or to ' : ''}an address at ${policy.domains.join(', ')}.`;
}

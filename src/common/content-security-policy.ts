// The app's Content-Security-Policy: strict, no inline script or style, nothing framed, nothing framing the app.
// helmet sends it on every response; the two pages that need a frame widen it for themselves alone (cspWith).
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
} satisfies Record<string, string[]>;

type Directives = Record<string, string[]>;

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

// The policy with some directives replaced, as the header's text.
export function cspWith(overrides: Directives): string {
  const directives: Directives = { ...CSP_DIRECTIVES, ...overrides };
  return Object.entries(directives)
    .map(([name, values]) => `${kebab(name)} ${values.join(' ')}`)
    .join('; ');
}

// An origin for a CSP source list: only http(s), never a wildcard or a path.
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

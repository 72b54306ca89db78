const BASE = 'http://same-site.invalid';
// C0 controls, DEL and C1 controls: a URL parser drops tabs and newlines silently (so "/\t/evil.test" would become
// "//evil.test", another host), and a header cannot carry them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// Only same-site paths: a `next` parameter must never send a user to another host. The path comes back
// percent-encoded, ready for a Location or an HX-Redirect header.
export function safeLocalPath(candidate: unknown, fallback = '/'): string {
  if (typeof candidate !== 'string' || candidate.length > 2000 || CONTROL.test(candidate)) return fallback;
  if (!candidate.startsWith('/') || candidate.startsWith('//') || candidate.startsWith('/\\')) return fallback;
  const url = new URL(candidate, BASE);
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

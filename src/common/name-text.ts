// What a person's or a company's name may not hold: control characters (C0 and C1), line breaks (a name in an
// email's header or body must not start a line of its own), U+FFFD (bytes that were not UTF-8), and the Unicode
// direction overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make text read in another order than it
// is. Markup characters are fine: every template escapes them.
export const NOT_NAME_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffd]/;

export const nameTextProblem = (label: string): string =>
  `${label} cannot contain line breaks, control characters or text-direction overrides`;

// What every file the app writes for a spreadsheet (reports, a batch's result file) does to its cells.

// A spreadsheet reads a cell that starts with one of these as a formula (or DDE): a leading apostrophe keeps it text.
// Applied in both formats, so that a file reads the same whichever was chosen and whatever opens it.
const FORMULA_START = /^[=+\-@\t\r]/;
export const neutralise = (value: string): string => (FORMULA_START.test(value) ? `'${value}` : value);

// ISO 8601 in UTC to the second: 2026-11-30T22:19:00Z.
export const isoUtc = (value: Date): string => value.toISOString().replace(/\.\d{3}Z$/, 'Z');

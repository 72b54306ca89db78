// A spreadsheet reads a cell that starts with one of these as a formula (or DDE): a leading apostrophe keeps it text.
// Every file the app writes for a spreadsheet (reports, bulk attestation templates) puts its text through it, in both
// formats, so that a file reads the same whichever was chosen and whatever opens it.
const FORMULA_START = /^[=+\-@\t\r]/;
export const neutralise = (value: string): string => (FORMULA_START.test(value) ? `'${value}` : value);

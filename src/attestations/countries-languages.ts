// The lists the attestation form offers. Partner Center wants an ISO 3166-1 alpha-2 country and a culture name
// (e.g. en-US); the names shown come from the runtime's own CLDR data, so nothing here needs translating by hand.
const regionNames = new Intl.DisplayNames('en', { type: 'region', fallback: 'none' });
const languageNames = new Intl.DisplayNames('en', { type: 'language', languageDisplay: 'standard' });

// Codes CLDR knows that are not countries a customer can be in (groupings, reserved, withdrawn).
const NOT_COUNTRIES = new Set('AC AN BU CP CQ CS DD DG EA EU EZ FX IC NT QO SU TA TP UN XA XB YD YU ZR ZZ'.split(' '));

export interface Option {
  value: string;
  label: string;
}

// A code CLDR replaces by another (UK by GB, DY by BJ, RH by ZW...) is an old name of a country listed under its
// current code: offered once, and only the current code is sent.
const isCurrentCode = (code: string): boolean => Intl.getCanonicalLocales(`und-${code}`)[0] === `und-${code}`;

const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
export const COUNTRIES: readonly Option[] = letters
  .flatMap((a) => letters.map((b) => a + b))
  .filter((code) => !NOT_COUNTRIES.has(code) && isCurrentCode(code))
  .map((code) => ({ value: code, label: regionNames.of(code) ?? '' }))
  .filter((option) => option.label !== '')
  .sort((a, b) => a.label.localeCompare(b.label, 'en'));

// The languages Microsoft offers the agreement in.
const LANGUAGE_CODES = [
  'cs-CZ',
  'da-DK',
  'de-DE',
  'el-GR',
  'en-AU',
  'en-CA',
  'en-GB',
  'en-IE',
  'en-IN',
  'en-NZ',
  'en-US',
  'en-ZA',
  'es-ES',
  'es-MX',
  'fi-FI',
  'fr-CA',
  'fr-FR',
  'hu-HU',
  'id-ID',
  'it-IT',
  'ja-JP',
  'ko-KR',
  'nb-NO',
  'nl-NL',
  'pl-PL',
  'pt-BR',
  'pt-PT',
  'ro-RO',
  'ru-RU',
  'sv-SE',
  'th-TH',
  'tr-TR',
  'uk-UA',
  'zh-CN',
  'zh-TW',
];
export const LANGUAGES: readonly Option[] = LANGUAGE_CODES.map((code) => ({
  value: code,
  label: languageNames.of(code) ?? code,
})).sort((a, b) => a.label.localeCompare(b.label, 'en'));

const countryCodes = new Set(COUNTRIES.map((option) => option.value));
const languageCodes = new Set(LANGUAGE_CODES);
export const isCountry = (value: string): boolean => countryCodes.has(value);
export const isLanguage = (value: string): boolean => languageCodes.has(value);
export const countryName = (code: string): string => regionNames.of(code) ?? code;
export const languageName = (code: string): string => (isLanguage(code) ? (languageNames.of(code) ?? code) : code);

export const DEFAULT_COUNTRY = 'US';
export const DEFAULT_LANGUAGE = 'en-US';

import { COUNTRIES, isCountry } from './countries-languages';

describe('COUNTRIES', () => {
  it('should list each country once, by its current ISO 3166-1 code', () => {
    const labels = COUNTRIES.map((option) => option.label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const old of ['UK', 'DY', 'HV', 'NH', 'VD', 'RH']) expect(isCountry(old)).toBe(false);
    for (const [code, name] of [
      ['GB', 'United Kingdom'],
      ['BJ', 'Benin'],
      ['BF', 'Burkina Faso'],
      ['VU', 'Vanuatu'],
      ['VN', 'Vietnam'],
      ['ZW', 'Zimbabwe'],
    ])
      expect(COUNTRIES.find((option) => option.value === code)?.label).toBe(name);
  });
});

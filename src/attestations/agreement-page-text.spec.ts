import { agreementPageDate, agreementPageText } from './agreement-page-text';

describe('agreementPageText', () => {
  it("should speak the signatory's language, whatever its region, and English where it has no words", () => {
    expect(agreementPageText('de-AT')).toMatchObject({ lang: 'de-AT', text: { agreement: 'Microsoft-Kundenvertrag' } });
    expect(agreementPageText('fr-CA').text.intro('Contoso', 'Fabrikam')).toContain('au nom de Fabrikam');
    expect(agreementPageText('ja-JP')).toMatchObject({
      lang: 'en',
      text: { agreement: 'Microsoft Customer Agreement' },
    });
  });

  it('should say what it can of a state without its date', () => {
    const { text } = agreementPageText('es-ES');
    expect(text.accepted(null, 'Fabrikam')).toBe(
      'Aceptado en nombre de Fabrikam. Gracias: ya puede cerrar esta página.',
    );
    expect(text.expired('1 de marzo de 2026', 'Contoso')).toBe(
      'Este vínculo caducó el 1 de marzo de 2026. Pida uno nuevo a Contoso.',
    );
  });
});

describe('agreementPageDate', () => {
  it('should write the date as the signatory reads it, in UTC', () => {
    const date = new Date('2026-03-01T14:05:00Z');
    expect(agreementPageDate(date, 'de-DE')).toBe('1. März 2026 um 14:05 UTC');
    expect(agreementPageDate(date, 'en-GB')).toBe('1 March 2026 at 14:05 UTC');
    expect(agreementPageDate(null, 'en-GB')).toBeNull();
  });
});

import {
  parseAgreementMetadata,
  parseCustomerAgreements,
  parseCustomerPage,
  parseDirectAcceptance,
  parseErrorBody,
  parseTokenResponse,
} from './partner-center.shapes';
import { invalidResponseOf } from '../../test/support/invalid-response';

const json = (value: unknown) => JSON.stringify(value);

const invalid = invalidResponseOf;

describe('parseCustomerPage', () => {
  const customer = {
    id: 't-1',
    companyProfile: { companyName: 'Fourth Coffee', domain: 'fourthcoffee.onmicrosoft.com' },
  };

  it('should take the continuation token from links.next headers', () => {
    const page = parseCustomerPage(
      json({
        items: [customer],
        links: { next: { uri: '/x', method: 'GET', headers: [{ key: 'MS-ContinuationToken', value: 'abc' }] } },
      }),
    );
    expect(page).toEqual({
      items: [{ tenantId: 't-1', companyName: 'Fourth Coffee', domain: 'fourthcoffee.onmicrosoft.com' }],
      continuationToken: 'abc',
    });
  });

  it('should fall back to the top-level continuationToken, and end without one', () => {
    expect(parseCustomerPage(json({ items: [], continuationToken: 'top' })).continuationToken).toBe('top');
    expect(parseCustomerPage(json({ items: [], links: { self: { uri: '/x' } } })).continuationToken).toBeNull();
  });

  it('should refuse broken answers', () => {
    expect(invalid(() => parseCustomerPage('{'))).toContain('not valid JSON');
    expect(invalid(() => parseCustomerPage('[]'))).toContain('the answer is not an object');
    expect(invalid(() => parseCustomerPage(json({ items: [42] })))).toContain('a customer');
  });

  it('should keep a customer with odd data, mending what it can and naming each oddity', () => {
    const page = parseCustomerPage(
      json({
        items: [
          { id: 't', companyProfile: null },
          { ...customer, companyProfile: { companyName: 'N'.repeat(600), domain: 'long.example' } },
          { ...customer, id: 'x'.repeat(101) },
        ],
      }),
    );
    expect(page.items).toEqual([
      { tenantId: 't', companyName: '', domain: '', oddities: ['no companyName', 'no domain'] },
      {
        tenantId: 't-1',
        companyName: 'N'.repeat(500),
        domain: 'long.example',
        oddities: ['companyName longer than 500 characters, cut'],
      },
      {
        tenantId: '',
        companyName: 'Fourth Coffee',
        domain: 'fourthcoffee.onmicrosoft.com',
        oddities: ['no usable id'],
      },
    ]);
  });
});

describe('parseAgreementMetadata', () => {
  it('should accept `type` as well as `agreementType`, and pick the MCA', () => {
    const items = [
      { templateId: 'cloud', agreementType: 'MicrosoftCloudAgreement', agreementLink: 'https://aka.ms/mca-old' },
      { templateId: 'mca', type: 'MicrosoftCustomerAgreement', agreementLink: 'https://aka.ms/customeragreement' },
    ];
    expect(parseAgreementMetadata(json({ items }))).toEqual({
      templateId: 'mca',
      agreementLink: 'https://aka.ms/customeragreement',
    });
  });

  it('should refuse an answer about another agreement (the call without agreementType)', () => {
    expect(
      invalid(() =>
        parseAgreementMetadata(
          json({ items: [{ templateId: 'x', agreementType: 'MicrosoftCloudAgreement', agreementLink: 'https://x' }] }),
        ),
      ),
    ).toContain('no Microsoft Customer Agreement');
  });
});

describe('parseDirectAcceptance', () => {
  it('should read isSigned and refuse anything but a boolean', () => {
    expect(parseDirectAcceptance('{"isSigned":true}')).toBe(true);
    expect(invalid(() => parseDirectAcceptance('{"isSigned":"true"}'))).toContain('"isSigned" is missing');
  });
});

describe('parseCustomerAgreements', () => {
  const mca = { templateId: 't', dateAgreed: '2026-01-06T00:00:00Z', type: 'MicrosoftCustomerAgreement' };

  it('should read dates as UTC, a date without a zone too, and tolerate a missing contact', () => {
    const { items, oddities } = parseCustomerAgreements(
      json({ items: [mca, { ...mca, dateAgreed: '2019-08-26T00:00:00' }] }),
    );
    expect(items).toEqual([
      {
        templateId: 't',
        dateAgreed: new Date('2026-01-06T00:00:00Z'),
        primaryContact: null,
        agreementLink: null,
        userId: null,
      },
      {
        templateId: 't',
        dateAgreed: new Date('2019-08-26T00:00:00Z'),
        primaryContact: null,
        agreementLink: null,
        userId: null,
      },
    ]);
    expect(oddities).toEqual([]);
  });

  it('should leave a date that is not one empty, and say so', () => {
    for (const dateAgreed of ['yesterday', 20260106, 'x'.repeat(100)]) {
      const { items, oddities } = parseCustomerAgreements(json({ items: [{ ...mca, dateAgreed }] }));
      expect(items[0].dateAgreed).toBeNull();
      expect(oddities).toEqual(['dateAgreed not a date']);
    }
  });

  it('should skip agreements of another type, keep one without a type, date or template, and name each', () => {
    const { items, oddities } = parseCustomerAgreements(
      json({
        items: [
          { ...mca, type: 'MicrosoftCloudAgreement' },
          { primaryContact: { firstName: 'Ana', lastName: 7, email: 'ana@example.com' } },
        ],
      }),
    );
    expect(items).toEqual([
      {
        templateId: null,
        dateAgreed: null,
        primaryContact: { firstName: 'Ana', lastName: '', email: 'ana@example.com' },
        agreementLink: null,
        userId: null,
      },
    ]);
    expect(oddities).toEqual([
      'an agreement of type "MicrosoftCloudAgreement" skipped',
      'an agreement without a type, counted as the MCA asked for',
      'an agreement without dateAgreed',
      'an agreement without templateId',
    ]);
  });

  it('should read a customer with hundreds of agreements', () => {
    const many = Array.from({ length: 600 }, (_, i) => ({
      ...mca,
      dateAgreed: new Date(Date.UTC(2020, 0, 1 + i)).toISOString(),
    }));
    expect(parseCustomerAgreements(json({ items: many })).items).toHaveLength(600);
  });

  it('should refuse an answer that is not a list of agreements', () => {
    expect(invalid(() => parseCustomerAgreements('{"items": 3}'))).toContain('"items" is not a list');
  });
});

describe('parseTokenResponse', () => {
  it("should read the token, its lifetime given as text, and the user's name from the id token", () => {
    const idToken = `x.${Buffer.from(json({ preferred_username: 'admin@partner.example' })).toString('base64url')}.`;
    expect(
      parseTokenResponse(json({ access_token: 'at', expires_in: '3599', refresh_token: 'rt', id_token: idToken })),
    ).toEqual({
      accessToken: 'at',
      expiresInSeconds: 3599,
      refreshToken: 'rt',
      userPrincipalName: 'admin@partner.example',
    });
  });

  it('should survive a garbled id token and refuse a token without a lifetime', () => {
    expect(
      parseTokenResponse(json({ access_token: 'at', expires_in: 60, id_token: 'a.!!!.b' })).userPrincipalName,
    ).toBeNull();
    expect(invalid(() => parseTokenResponse(json({ access_token: 'at' })))).toContain('"expires_in"');
  });
});

describe('parseErrorBody', () => {
  it("should read Partner Center's and Entra's error shapes, and nothing from other text", () => {
    expect(
      parseErrorBody(
        json({ code: '600061', description: 'exists', errorName: 'PartnerConfirmedAgreementAlreadyExists' }),
      ),
    ).toEqual({
      code: 600061,
      message: 'exists',
      errorName: 'PartnerConfirmedAgreementAlreadyExists',
      oauthError: undefined,
    });
    expect(parseErrorBody(json({ error: 'invalid_client', error_description: 'bad secret' }))).toMatchObject({
      oauthError: 'invalid_client',
      message: 'bad secret',
    });
    expect(parseErrorBody('<html>oops</html>')).toEqual({});
    expect(parseErrorBody('null')).toEqual({});
  });
});

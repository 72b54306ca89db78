import { createHash } from 'node:crypto';

export interface SandboxAgreement {
  templateId: string;
  dateAgreed: string;
  primaryContact: { firstName: string; lastName: string; email: string; phoneNumber?: string } | null;
  userId?: string | null;
  attestationId: string | null; // the sandbox's own bookkeeping (not on the wire): the attestation that made it
}

export interface SandboxCustomer {
  id: string;
  companyName: string;
  domain: string;
  directlySigned: boolean;
  agreements: SandboxAgreement[];
}

// The sandbox's customers: the same on every machine, so demos and tests can name them.
const COMPANIES = [
  'Adatum Corporation',
  'Alpine Ski House',
  'Bellows College',
  'Best For You Organics',
  'Blue Yonder Airlines',
  'City Power & Light',
  'Coho Vineyard',
  'Coho Winery',
  'Consolidated Messenger',
  'Contoso Pharmaceuticals',
  'Contoso Suites',
  'Fabrikam Residences',
  'First Up Consultants',
  'Fourth Coffee',
  'Graphic Design Institute',
  'Humongous Insurance',
  'Lamna Healthcare',
  'Liberty Delightful Sinful Bakery & Cafe',
  'Litware Inc.',
  'Lucerne Publishing',
  "Margie's Travel",
  "Munson's Pickles and Preserves Farm",
  'Nod Publishers',
  'Northwind Traders',
  'Proseware Inc.',
  'Relecloud',
  'School of Fine Art',
  'Southridge Video',
  'Tailspin Toys',
  'Tailwind Traders',
  'Trey Research',
  'The Phone Company',
  'VanArsdel Ltd.',
  'Wide World Importers',
  'Wingtip Toys',
  'Woodgrove Bank',
  'World Wide Importers Nordic',
  'Datum Kft.',
  'Fabrikam Fiber Ireland',
  'Northwind Health GmbH',
];

// Every seventh customer has accepted the MCA in the Microsoft 365 admin center.
const DIRECTLY_SIGNED = (index: number) => index % 7 === 3;

export const MCA_TEMPLATE_ID = '117a77b0-9360-443b-8795-c6dedc750cf9';
export const MCA_LINK = 'https://aka.ms/customeragreement';

// A stable GUID-shaped id from a name.
export function stableId(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function domainFor(companyName: string): string {
  const slug =
    companyName
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '')
      .slice(0, 27) || 'customer';
  return `${slug}.onmicrosoft.com`;
}

// Partner-confirmed agreements made before this app, or outside it (Partner Center's UI, the bulk tool, the legacy
// API, another portal): the sync must show these customers as attested. One predates the MCA refresh of 1 April
// 2023, and one customer also accepted directly.
const EARLIER_ATTESTATIONS: { company: string; dateAgreed: string; contact: SandboxAgreement['primaryContact'] }[] = [
  {
    company: 'Humongous Insurance',
    dateAgreed: '2025-03-01T00:00:00Z',
    contact: { firstName: 'Dana', lastName: 'Fuller', email: 'dana.fuller@humongousinsurance.onmicrosoft.com' },
  },
  {
    company: 'Graphic Design Institute',
    dateAgreed: '2024-06-12T09:30:00Z',
    contact: {
      firstName: 'Priya',
      lastName: 'Raman',
      email: 'priya@graphicdesigninstitute.onmicrosoft.com',
      phoneNumber: '+1 425 555 0142',
    },
  },
  {
    company: 'Lucerne Publishing',
    dateAgreed: '2022-11-15T00:00:00Z',
    contact: { firstName: 'Marc', lastName: 'Berger', email: 'marc.berger@lucernepublishing.onmicrosoft.com' },
  },
  {
    company: 'Proseware Inc.',
    dateAgreed: '2025-09-10T14:00:00Z',
    contact: { firstName: 'Ines', lastName: 'Costa', email: 'ines.costa@prosewareinc.onmicrosoft.com' },
  },
];

export const SEEDED_USER_ID = '3d6f2c09-eb40-48ca-a4b3-d24c9c007531';

// The seeded partner agreements by customer id.
export function seedAgreements(): Map<string, SandboxAgreement[]> {
  return new Map(
    EARLIER_ATTESTATIONS.map(({ company, dateAgreed, contact }) => [
      stableId(`customer:${company}`),
      [
        {
          templateId: MCA_TEMPLATE_ID,
          dateAgreed,
          primaryContact: contact,
          userId: SEEDED_USER_ID,
          attestationId: null,
        },
      ],
    ]),
  );
}

export function seedCustomers(): SandboxCustomer[] {
  const agreements = seedAgreements();
  return COMPANIES.map((companyName, index) => {
    const id = stableId(`customer:${companyName}`);
    return {
      id,
      companyName,
      domain: domainFor(companyName),
      directlySigned: DIRECTLY_SIGNED(index),
      agreements: agreements.get(id) ?? [],
    };
  });
}

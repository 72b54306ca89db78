import { createHash } from 'node:crypto';
import type { SandboxCustomer } from './sandbox-state';

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

export function seedCustomers(): SandboxCustomer[] {
  return COMPANIES.map((companyName, index) => {
    const directlySigned = DIRECTLY_SIGNED(index);
    const firstName = ['Alex', 'Sam', 'Robin', 'Kim', 'Jordan', 'Taylor'][index % 6];
    const lastName = ['Wilber', 'Johnson', 'Moreau', 'Akers', 'Larsen', 'Okafor'][index % 5];
    const domain = domainFor(companyName);
    return {
      id: stableId(`customer:${companyName}`),
      companyName,
      domain,
      directlySigned,
      agreements: directlySigned
        ? [
            {
              templateId: MCA_TEMPLATE_ID,
              dateAgreed: new Date(Date.UTC(2026, 0, 6 + index)).toISOString(),
              primaryContact: { firstName, lastName, email: `${firstName.toLowerCase()}@${domain}` },
              attestationId: null,
            },
          ]
        : [],
    };
  });
}

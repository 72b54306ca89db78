import { randomBytes } from 'node:crypto';

// A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64, which the spec's libraries accept as is.
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

// The SecretBox context of an endpoint's secret: a sealed value moved to another endpoint does not open.
export const secretContext = (endpointId: number): string => `webhook-endpoint:${endpointId}:secret`;

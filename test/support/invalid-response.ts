import { PartnerCenterError } from '../../src/partner-center/partner-center.types';

// The message of the `invalid_response` error a parser throws; fails when it parses without complaint.
export function invalidResponseOf(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    if (error instanceof PartnerCenterError && error.kind === 'invalid_response') return error.message;
    throw error;
  }
  throw new Error('parsed without complaint');
}

import { withoutNullable } from './openapi';

describe('withoutNullable', () => {
  it("writes 3.0's nullable as 3.1's null type, and a nullable reference as a choice beside null", () => {
    expect(
      withoutNullable({
        properties: {
          at: { type: 'string', format: 'date-time', nullable: true },
          count: { type: 'integer' },
          partner: { type: 'object', nullable: true, description: 'Who', allOf: [{ $ref: '#/components/schemas/P' }] },
          list: { type: 'array', items: { $ref: '#/components/schemas/P', nullable: true } },
          plain: { nullable: false, type: 'string' },
        },
      }),
    ).toEqual({
      properties: {
        at: { type: ['string', 'null'], format: 'date-time' },
        count: { type: 'integer' },
        partner: { description: 'Who', anyOf: [{ allOf: [{ $ref: '#/components/schemas/P' }] }, { type: 'null' }] },
        list: { type: 'array', items: { anyOf: [{ $ref: '#/components/schemas/P' }, { type: 'null' }] } },
        plain: { type: 'string' },
      },
    });
  });
});

import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, type ProblemType } from '../common/problem-details';

// RFC 9457 problem details, as every API error is sent (src/common/app-exception.filter.ts).
export class ProblemDto {
  @ApiProperty({ example: '/api/v1/problems/not-found', description: 'A stable URI reference per kind of error' })
  type: string;

  @ApiProperty({ example: 'Not found' })
  title: string;

  @ApiProperty({ example: 404 })
  status: number;

  @ApiProperty({ example: 'That attestation was not found', description: 'What happened, in words for people' })
  detail: string;

  @ApiProperty({ example: '/api/v1/attestations/42' })
  instance: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'validation-failed only: one message per field, the same words as the form on the page',
  })
  errors?: Record<string, string>;
}

// Documents the problem answers a route can give: `@ApiProblems('unauthenticated', 'not-found')`.
export const ApiProblems = (...types: ProblemType[]) =>
  applyDecorators(
    ...types.map((type) =>
      ApiResponse({
        status: PROBLEM_TYPES[type].status,
        description: PROBLEM_TYPES[type].title,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      }),
    ),
  );

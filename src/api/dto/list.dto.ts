import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

// The paging parameters every list of the API takes: `limit` rows from the `cursor` a previous answer's `next` holds.
export class ListQueryDto {
  @ApiPropertyOptional({
    description: `How many rows to return, 1 to ${MAX_LIMIT}`,
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
  })
  @IsOptional()
  @Matches(/^(100|[1-9]\d?)$/, { message: `limit must be a whole number from 1 to ${MAX_LIMIT}` })
  limit?: string;

  @ApiPropertyOptional({
    description: "Where the page starts: copy it from the previous answer's `next` link (opaque)",
    maxLength: 200,
  })
  @IsOptional()
  @IsString({ message: 'cursor must be text' })
  @MaxLength(200, { message: 'This cursor was not given by this API: start again without it' })
  cursor?: string;
}

export const limitOf = (query: ListQueryDto): number => (query.limit ? Number(query.limit) : DEFAULT_LIMIT);

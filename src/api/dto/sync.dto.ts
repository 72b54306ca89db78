import { ApiProperty } from '@nestjs/swagger';

export class SyncProgressDto {
  @ApiProperty({ type: 'integer', example: 120, description: 'Customers read so far' })
  processed: number;

  @ApiProperty({ type: 'integer', nullable: true, example: 480, description: 'Null while the list is still read' })
  total: number | null;
}

export class SyncFailureDto {
  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ example: 'Partner Center refused the app credentials' })
  message: string;
}

export class SyncCustomersDto {
  @ApiProperty({ type: 'integer', example: 3 })
  count: number;

  @ApiProperty({ type: [String], description: "The first of the customers' Microsoft tenant ids" })
  ids: string[];

  @ApiProperty({ type: 'integer', description: 'How many more than listed' })
  more: number;
}

export class SyncUnreadDto extends SyncCustomersDto {
  @ApiProperty({ example: 'Partner Center did not answer in time' })
  reason: string;
}

// The broker's sync from Microsoft: the run going on, and how the last finished one ended.
export class SyncStatusDto {
  @ApiProperty({ description: 'A sync is queued or running' })
  running: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: SyncProgressDto, nullable: true })
  progress: SyncProgressDto | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The last run that succeeded' })
  lastSuccessAt: string | null;

  @ApiProperty({ type: SyncFailureDto, nullable: true, description: 'Only when the last finished run failed' })
  lastFailure: SyncFailureDto | null;

  @ApiProperty({
    type: SyncCustomersDto,
    nullable: true,
    description: 'Customers of the last finished run whose data had to be mended',
  })
  unusual: SyncCustomersDto | null;

  @ApiProperty({
    type: SyncUnreadDto,
    nullable: true,
    description: 'Customers whose acceptance Partner Center did not give in the last finished run (kept as known)',
  })
  unread: SyncUnreadDto | null;
}

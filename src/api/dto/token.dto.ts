import { ApiProperty } from '@nestjs/swagger';
import { API_TOKEN_SCOPES, type ApiTokenScope } from '../../api-tokens/api-token-scope';

export class TokenDto {
  @ApiProperty({ type: 'integer', example: 3 })
  id: number;

  @ApiProperty({ example: 'Provisioning' })
  name: string;

  @ApiProperty({ enum: API_TOKEN_SCOPES, description: '`read`: GET only; `write`: every route' })
  scope: ApiTokenScope;
}

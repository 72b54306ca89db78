import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiPrincipal } from '../api-tokens/api-tokens.service';
import { ApiController } from './api-controller.decorator';
import { ApiProblems } from './api-docs';
import { Principal } from './api-principal';
import { TokenDto } from './dto/token.dto';

// The token asking: a first call that proves a token works, and says what it may do.
@ApiTags('Token')
@ApiController('token')
export class TokenController {
  @Get()
  @ApiOperation({ operationId: 'getToken', summary: 'Read the token the request is made with' })
  @ApiOkResponse({ type: TokenDto })
  @ApiProblems('unauthenticated', 'rate-limited')
  show(@Principal() principal: ApiPrincipal): TokenDto {
    return { id: principal.tokenId, name: principal.name, scope: principal.scope };
  }
}

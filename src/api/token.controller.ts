import { Get } from '@nestjs/common';
import type { ApiPrincipal } from '../api-tokens/api-tokens.service';
import { ApiController } from './api-controller.decorator';
import { Principal } from './api-principal';

// The token asking: a first call that proves a token works, and says what it may do.
@ApiController('token')
export class TokenController {
  @Get()
  show(@Principal() principal: ApiPrincipal) {
    return { id: principal.tokenId, name: principal.name, scope: principal.scope };
  }
}

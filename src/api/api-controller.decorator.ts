import { applyDecorators, Controller, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels } from '@nestjs/swagger';
import { Public } from '../common/decorators';
import { ApiContextInterceptor } from './api-context.interceptor';
import { ProblemDto } from './api-docs';
import { ApiTokenGuard } from './api-token.guard';

export const API_VERSION_PATH = 'api/v1';

// A controller of the JSON API under /api/v1: authenticated by a bearer token (never by the session, which is not
// even read on these paths), running as that token in its broker.
export const ApiController = (path: string) =>
  applyDecorators(
    Controller(`${API_VERSION_PATH}/${path}`),
    Public(),
    UseGuards(ApiTokenGuard),
    UseInterceptors(ApiContextInterceptor),
    ApiBearerAuth(),
    ApiExtraModels(ProblemDto),
  );

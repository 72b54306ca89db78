import { Controller, Get, Header, Param, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { NotFoundInBrokerError } from '../common/domain-errors';
import { Public } from '../common/decorators';
import { PROBLEM_TYPES, type ProblemType } from '../common/problem-details';
import { API_VERSION_PATH } from './api-controller.decorator';
import { API_REFERENCE_PATH, OpenApiDocument, problemAnchor } from './openapi-document';

// What an integrator reads before holding a token: the OpenAPI document, and each problem type's explanation (the
// `type` of a problem answer, followed as a link, lands on its section of the reference page).
@ApiExcludeController()
@Public()
@Controller(API_VERSION_PATH)
export class OpenApiController {
  constructor(private readonly document: OpenApiDocument) {}

  @Get('openapi.json')
  @Header('Cache-Control', 'public, max-age=300')
  openapi() {
    return this.document.get();
  }

  @Get('problems/:type')
  @Redirect(API_REFERENCE_PATH, 303)
  problem(@Param('type') type: string) {
    if (!Object.hasOwn(PROBLEM_TYPES, type)) throw new NotFoundInBrokerError('That problem type');
    return { url: `${API_REFERENCE_PATH}#${problemAnchor(type as ProblemType)}` };
  }
}

import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/decorators';
import { apiReferenceView } from './api-reference.view';
import { API_REFERENCE_PATH, OpenApiDocument } from './openapi-document';

// The API's reference, for people: public, as an integrator's developer may have no account here; it holds no data,
// only what the OpenAPI document says.
@ApiExcludeController()
@Public()
@Controller(API_REFERENCE_PATH.slice(1))
export class ApiReferenceController {
  private view: ReturnType<typeof apiReferenceView> | null = null;

  constructor(private readonly document: OpenApiDocument) {}

  @Get()
  @Render('api-reference/index')
  page() {
    this.view ??= apiReferenceView(this.document.get());
    return this.view;
  }
}

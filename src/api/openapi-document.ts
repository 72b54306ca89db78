import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ProblemType } from '../common/problem-details';

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const API_REFERENCE_PATH = '/api-reference';

// Each problem type's section of the reference page.
export const problemAnchor = (type: ProblemType): string => `problem-${type}`;

// The document, built once at start (configureApp) and served as it is.
@Injectable()
export class OpenApiDocument {
  private document: OpenAPIObject | null = null;

  publish(document: OpenAPIObject): void {
    this.document = document;
  }

  get(): OpenAPIObject {
    if (!this.document) throw new Error('The OpenAPI document is built at start (configureApp)');
    return this.document;
  }
}

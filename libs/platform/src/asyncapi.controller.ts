import { Controller, Get, VERSION_NEUTRAL } from '@nestjs/common';
import { buildAsyncApiDocument } from '@customs/contracts';
import { SERVICE_VERSION } from './service-version';

/** Every service serves the AsyncAPI document of the topics and payloads (generated from the contracts). */
@Controller({ path: 'asyncapi.json', version: VERSION_NEUTRAL })
export class AsyncApiController {
  private readonly document = buildAsyncApiDocument(SERVICE_VERSION);

  @Get()
  get(): Record<string, unknown> {
    return this.document;
  }
}

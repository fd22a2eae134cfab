import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { checkMrn } from '@customs/domain';
import { LodgementRepository } from '@customs/persistence';
import {
  CurrentIdentity,
  Identity,
  requireOwnDeclarantId,
  requireOwner,
  Roles,
} from '@customs/platform';
import { AmendmentService, ChangeResult } from './amendment.service';
import { InvalidationRequestDto } from './invalidation-request.dto';

/**
 * Changes to a lodged declaration before release. 202: the request is on the log (release
 * applies it); 200: a retry of a request already recorded; 400: the new version is invalid
 * (every failing path) or changes what identifies the declaration; 404: no such MRN; 409:
 * too late (released, refused, invalidated) or another change took that version first.
 */
@Controller('declarations/:mrn')
@Roles('declarant', 'admin')
export class AmendmentsController {
  constructor(
    private readonly amendments: AmendmentService,
    private readonly lodgements: LodgementRepository,
  ) {}

  /** Only the declarant that lodged it (or an admin) changes a declaration: 403 otherwise. */
  private async requireOwnerOf(identity: Identity, mrn: string): Promise<void> {
    const check = checkMrn(mrn);
    // A bad or unknown MRN is answered by the service (400/404) as before.
    if (!check.valid) return;
    const lodgement = await this.lodgements.findByMrn(check.mrn);
    if (lodgement) requireOwner(identity, lodgement);
  }

  /** Body: the full new version of the declaration (same LRN, declarant, type, country). */
  @Post('amendments')
  @HttpCode(HttpStatus.ACCEPTED)
  async amend(
    @CurrentIdentity() identity: Identity,
    @Param('mrn') mrn: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
    @Headers('traceparent') traceparent?: string,
  ) {
    await this.requireOwnerOf(identity, mrn);
    return answer(await this.amendments.amend(mrn, body, traceparent), res, 'amendment');
  }

  @Post('invalidation')
  @HttpCode(HttpStatus.ACCEPTED)
  async invalidate(
    @CurrentIdentity() identity: Identity,
    @Param('mrn') mrn: string,
    @Body() body: InvalidationRequestDto,
    @Res({ passthrough: true }) res: Response,
    @Headers('traceparent') traceparent?: string,
  ) {
    requireOwnDeclarantId(identity, body.declarantId);
    await this.requireOwnerOf(identity, mrn);
    return answer(await this.amendments.invalidate(mrn, body, traceparent), res, 'invalidation');
  }
}

function answer(result: ChangeResult, res: Response, what: 'amendment' | 'invalidation') {
  switch (result.kind) {
    case 'bad-mrn':
      throw new HttpException(
        { statusCode: 400, error: 'Bad Request', message: 'invalid MRN', reasons: result.reasons },
        400,
      );
    case 'invalid':
      throw new HttpException(
        {
          statusCode: 400,
          error: 'Bad Request',
          message: `${what} is invalid`,
          reasons: result.reasons,
        },
        400,
      );
    case 'not-found':
      throw new HttpException(
        { statusCode: 404, error: 'Not Found', message: `no declaration ${result.mrn}` },
        404,
      );
    case 'refused':
      throw new HttpException(
        {
          statusCode: 409,
          error: 'Conflict',
          code: result.refusal.code,
          message: result.refusal.message,
          mrn: result.mrn,
        },
        409,
      );
    case 'conflict':
      throw new HttpException(
        {
          statusCode: 409,
          error: 'Conflict',
          code: result.code,
          message: result.message,
          mrn: result.mrn,
        },
        409,
      );
    case 'duplicate':
      res.status(HttpStatus.OK);
      return {
        mrn: result.mrn,
        version: result.version,
        eventId: result.eventId,
        status: `${what}-requested`,
        duplicate: true,
      };
    case 'requested':
      return {
        mrn: result.mrn,
        version: result.version,
        eventId: result.eventId,
        status: `${what}-requested`,
      };
  }
}

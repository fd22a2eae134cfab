import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { checkMrn } from '@customs/domain';
import {
  CurrentIdentity,
  Identity,
  requireMayLodge,
  requireReadDeclaration,
  Roles,
} from '@customs/platform';
import { TimelineRepository } from '@customs/persistence';
import { statusOf } from '../timeline/timeline-entry.mapper';
import { AmendmentService } from '../amendment/amendment.service';
import { LodgementService } from './lodgement.service';

/** Border posts and declarants lodge declarations and follow them here. */
@Controller('declarations')
export class DeclarationsController {
  constructor(
    private readonly lodgement: LodgementService,
    private readonly timeline: TimelineRepository,
    private readonly amendments: AmendmentService,
  ) {}

  /**
   * 202 with the MRN once the submission is on the log; 200 with the same MRN for a
   * resubmission (same `Idempotency-Key`, or without one the same LRN, by the same
   * declarant, with the same content), even when concurrent or on another replica; 400
   * listing every failure by JSON path; 409 when the key (or the LRN) was used for another
   * content. The key is scoped to the declarant (declarant.id of the body).
   */
  @Post()
  @Roles('declarant', 'border-post', 'admin')
  @HttpCode(HttpStatus.ACCEPTED)
  async lodge(
    @CurrentIdentity() identity: Identity,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
    @Headers('traceparent') traceparent?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    // A declarant lodges for itself, a border post at its own post (403 otherwise).
    requireMayLodge(identity, body);
    const result = await this.lodgement.lodgeOverHttp(body, {
      idempotencyKey,
      traceparent,
      submittedBy: identity.sub,
    });
    switch (result.kind) {
      case 'invalid':
        throw new HttpException(
          {
            statusCode: 400,
            error: 'Bad Request',
            message: 'declaration is invalid',
            reasons: result.reasons,
          },
          400,
        );
      case 'conflict':
        throw new HttpException(
          {
            statusCode: 409,
            error: 'Conflict',
            code: result.code,
            message:
              result.code === 'IDEMPOTENCY_KEY_CONFLICT'
                ? `Idempotency-Key already used by this declarant for another declaration (${result.mrn})`
                : `LRN already lodged as ${result.mrn} with a different content`,
            mrn: result.mrn,
          },
          409,
        );
      case 'duplicate':
        res.status(HttpStatus.OK);
        return { mrn: result.mrn, status: result.status, duplicate: true };
      case 'submitted':
        return { mrn: result.mrn, status: 'submitted', eventId: result.eventId };
    }
  }

  @Get(':mrn')
  @Roles('declarant', 'border-post', 'officer', 'auditor', 'admin')
  async get(@CurrentIdentity() identity: Identity, @Param('mrn') mrn: string) {
    const check = checkMrn(mrn);
    if (!check.valid) {
      throw new HttpException(
        {
          statusCode: 400,
          error: 'Bad Request',
          message: 'invalid MRN',
          reasons: check.problems.map((p) => ({ code: 'INVALID_MRN', path: 'mrn', message: p })),
        },
        400,
      );
    }
    const timeline = await this.timeline.get(check.mrn);
    if (!timeline) throw new NotFoundException(`no declaration ${check.mrn}`);
    requireReadDeclaration(identity, timeline);
    const versions = await this.amendments.list(check.mrn);
    return {
      mrn: timeline.mrn,
      lrn: timeline.lrn,
      status: statusOf(timeline.entries),
      history: timeline.entries,
      // Amendments and invalidation requested (version 1 is the declaration as accepted).
      version: versions[versions.length - 1]?.version ?? 1,
      changes: versions.map((v) => ({
        version: v.version,
        kind: v.kind,
        requestedAt: v.requestedAt,
        eventId: v.eventId,
        reason: v.reason ?? undefined,
      })),
    };
  }
}

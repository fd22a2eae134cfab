import {
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  ControlResultPayload,
  EVENT_TYPES,
  OfficerDecisionPayload,
  TOPICS,
} from '@customs/contracts';
import { pendingControls } from '@customs/domain';
import { actingOfficer, CurrentIdentity, Identity, Roles } from '@customs/platform';
import { ExternalInputsService, PublishedInput } from '../inputs/external-inputs.service';
import { ControlResultDto, OfficerDecisionDto } from './officer-actions.dto';
import { OFFICER_ID_PATTERN } from './officer-identity.resolver';

/**
 * Officers record control results and decisions. Each is published as an event (with the
 * officer's identity) on `customs.controls.results.v1`, keyed by MRN; the release handler
 * takes it from there, so the answer is 202: the new state follows on the held/released
 * topics, the notifications and the work queues. An `Idempotency-Key` header makes a
 * retried request the same event (answered 200 once taken).
 */
@Controller('declarations')
@Roles('officer')
export class OfficerActionsController {
  constructor(private readonly inputs: ExternalInputsService) {}

  /** 404 unknown MRN; 409 when already released/refused or the control is not pending. */
  @Post(':mrn/controls')
  @HttpCode(HttpStatus.ACCEPTED)
  async recordControl(
    @CurrentIdentity() identity: Identity,
    @Param('mrn') mrn: string,
    @Body() body: ControlResultDto,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-officer-id') officerHeader?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const officerId = officerOf(identity, officerHeader, body.officerId);
    const d = await this.inputs.find(mrn);
    const type = EVENT_TYPES.controlResult;
    const taken = this.inputs.alreadyTaken(d, type, idempotencyKey);
    if (taken) return answer(res, d.mrn, taken, { control: body.control, officerId });
    this.inputs.requireOpen(d);
    const pending = pendingControls(d.state);
    if (!pending.includes(body.control)) {
      throw new ConflictException(
        `${body.control} is not pending for ${d.mrn} (status ${d.state.status}; waiting for: ${d.state.waitingFor.join(', ') || 'nothing'})`,
      );
    }
    const payload: ControlResultPayload = {
      control: body.control,
      outcome: body.outcome,
      officerId,
      ...(body.findings !== undefined ? { findings: body.findings } : {}),
    };
    const published = await this.inputs.publish(
      d,
      TOPICS.controlResults,
      type,
      payload,
      idempotencyKey,
    );
    return answer(res, d.mrn, published, {
      control: body.control,
      outcome: body.outcome,
      officerId,
    });
  }

  /** 404 unknown MRN; 409 unless held for an officer decision (a control came back not conform). */
  @Post(':mrn/decision')
  @HttpCode(HttpStatus.ACCEPTED)
  async decide(
    @CurrentIdentity() identity: Identity,
    @Param('mrn') mrn: string,
    @Body() body: OfficerDecisionDto,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-officer-id') officerHeader?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const officerId = officerOf(identity, officerHeader, body.officerId);
    const d = await this.inputs.find(mrn);
    const type = EVENT_TYPES.officerDecision;
    const taken = this.inputs.alreadyTaken(d, type, idempotencyKey);
    if (taken) return answer(res, d.mrn, taken, { decision: body.decision, officerId });
    this.inputs.requireOpen(d);
    if (d.state.status !== 'held' || !d.state.waitingFor.includes('officer-decision')) {
      throw new ConflictException(
        `${d.mrn} is not waiting for an officer decision (status ${d.state.status}; waiting for: ${d.state.waitingFor.join(', ') || 'nothing'}); record a not-conform control first`,
      );
    }
    const payload: OfficerDecisionPayload = {
      decision: body.decision,
      grounds: body.grounds,
      officerId,
    };
    const published = await this.inputs.publish(
      d,
      TOPICS.controlResults,
      type,
      payload,
      idempotencyKey,
    );
    return answer(res, d.mrn, published, { decision: body.decision, officerId });
  }
}

/** The token's subject is the officer of the audit trail; a different claimed id is refused. */
function officerOf(identity: Identity, header?: string, body?: string): string {
  const officerId = actingOfficer(identity, { header, body });
  if (!OFFICER_ID_PATTERN.test(officerId))
    throw new ForbiddenException(
      `token subject '${officerId}' is not an officer id (1-64 letters, digits, ".", "_", "@" or "-")`,
    );
  return officerId;
}

function answer(
  res: Response,
  mrn: string,
  published: PublishedInput,
  extra: Record<string, string>,
): Record<string, unknown> {
  if (published.duplicate) res.status(HttpStatus.OK);
  return { mrn, eventId: published.eventId, duplicate: published.duplicate, ...extra };
}

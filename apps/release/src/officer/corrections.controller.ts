import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import canonicalize from 'canonicalize';
import Decimal from 'decimal.js';
import { createHash } from 'node:crypto';
import {
  Declaration,
  EVENT_TYPES,
  RejectionReason,
  TOPICS,
  validateDeclarationStructure,
} from '@customs/contracts';
import { AmendmentRequestPayload, latestDeclaration, latestVersion } from '@customs/domain';
import { actingOfficer, CurrentIdentity, Identity, Roles } from '@customs/platform';
import { ExternalInputsService } from '../inputs/external-inputs.service';
import { CorrectionDto, ItemCorrectionDto } from './corrections.dto';
import { OFFICER_ID_PATTERN } from './officer-identity.resolver';

/** The same hash intake gives a declaration version (SHA-256 of its RFC 8785 JSON). */
const payloadHash = (d: Declaration): string =>
  createHash('sha256')
    .update(canonicalize(d) ?? '')
    .digest('hex');

/**
 * Officers' corrections after a control (issue 6: "a corrected value or commodity code sends
 * the declaration back through valuation"). The correction becomes the next version of the
 * declaration, published as a DeclarationAmendmentRequested on the amendments topic with
 * the officer as `requestedBy` and the findings, so it takes the very path a declarant's
 * amendment takes: release appends DeclarationAmended, risk re-assesses, valuation
 * re-values, release decides again. 202 once published; 200 for an Idempotency-Key already
 * taken; 400 for a bad body or a correction that changes nothing; 404 unknown MRN; 409 once
 * released, refused or invalidated. A correction racing another change for the same
 * version is refused by release (CDS 03, VERSION_CONFLICT).
 */
@Controller('declarations')
@Roles('officer')
export class CorrectionsController {
  constructor(private readonly inputs: ExternalInputsService) {}

  @Post(':mrn/corrections')
  @HttpCode(HttpStatus.ACCEPTED)
  async correct(
    @CurrentIdentity() identity: Identity,
    @Param('mrn') mrn: string,
    @Body() body: CorrectionDto,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-officer-id') officerHeader?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const officerId = actingOfficer(identity, { header: officerHeader, body: body.officerId });
    if (!OFFICER_ID_PATTERN.test(officerId))
      throw new ForbiddenException(`token subject '${officerId}' is not an officer id`);
    const d = await this.inputs.find(mrn);
    const type = EVENT_TYPES.amendmentRequested;
    const taken = this.inputs.alreadyTaken(d, type, idempotencyKey);
    if (taken) {
      res.status(HttpStatus.OK);
      return { mrn: d.mrn, eventId: taken.eventId, duplicate: true, officerId };
    }
    this.inputs.requireOpen(d);
    const current = latestDeclaration(d.state);
    const valued = d.state.valued?.payload;
    if (!current || !valued)
      throw new BadRequestException(`${d.mrn} has no declaration to correct`);

    const corrected = applyCorrections(current, body.items);
    const hash = payloadHash(corrected);
    const previousPayloadHash = d.state.payloadHash ?? payloadHash(current);
    if (hash === previousPayloadHash)
      throw reasons([
        { code: 'CORRECTION_UNCHANGED', path: 'items', message: 'the corrections change nothing' },
      ]);
    const version = latestVersion(d.state) + 1;
    const payload: AmendmentRequestPayload = {
      amendment: {
        version,
        declaration: corrected,
        payloadHash: hash,
        previousPayloadHash,
        // Judged by the reference data in force at the original acceptance, as any amendment.
        referenceData: valued.acceptance.referenceData,
        requestedAt: new Date().toISOString(),
        requestedBy: officerId,
        findings: body.findings,
      },
    };
    const published = await this.inputs.publish(
      d,
      TOPICS.amendments,
      type,
      payload,
      idempotencyKey,
    );
    return { mrn: d.mrn, version, eventId: published.eventId, duplicate: false, officerId };
  }
}

function reasons(list: RejectionReason[]): HttpException {
  return new HttpException(
    { statusCode: 400, error: 'Bad Request', message: 'correction is invalid', reasons: list },
    400,
  );
}

/**
 * The declaration with the officer's corrections applied, checked like a lodged one (its
 * structure; classification against the nomenclature is risk's and valuation's business at
 * acceptance). A corrected item amount brings the invoice total along (the sum of the items).
 */
function applyCorrections(current: Declaration, items: ItemCorrectionDto[]): Declaration {
  const problems: RejectionReason[] = [];
  const seen = new Set<number>();
  const corrected: Declaration = structuredClone(current);
  items.forEach((c, i) => {
    const path = `items[${i}].itemNumber`;
    if (seen.has(c.itemNumber))
      problems.push({ code: 'DUPLICATE_ITEM', path, message: `item ${c.itemNumber} twice` });
    seen.add(c.itemNumber);
    const item = corrected.items.find((x) => x.itemNumber === c.itemNumber);
    if (!item) {
      problems.push({
        code: 'UNKNOWN_ITEM',
        path,
        message: `the declaration has no item ${c.itemNumber}`,
      });
      return;
    }
    const { itemNumber: _n, ...fields } = c;
    const changes = Object.entries(fields).filter(([, v]) => v !== undefined);
    if (changes.length === 0)
      problems.push({
        code: 'NOTHING_CORRECTED',
        path: `items[${i}]`,
        message: `item ${c.itemNumber}: name at least one field to correct`,
      });
    Object.assign(item, Object.fromEntries(changes));
  });
  if (problems.length > 0) throw reasons(problems);
  if (items.some((c) => c.invoiceAmount !== undefined)) {
    corrected.invoiceTotal = corrected.items
      .reduce((sum, x) => sum.plus(x.invoiceAmount), new Decimal(0))
      .toFixed();
  }
  const check = validateDeclarationStructure(corrected);
  if (!check.ok) throw reasons(check.reasons);
  return corrected;
}

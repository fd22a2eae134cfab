import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import Decimal from 'decimal.js';
import { EVENT_TYPES, PaymentPayload, TOPICS } from '@customs/contracts';
import { Roles } from '@customs/platform';
import { ExternalInputsService } from '../inputs/external-inputs.service';
import { PaymentDto } from './payment.dto';

/**
 * The adapter a payment system uses when it cannot produce to Kafka itself: it turns a
 * payment or a lodged guarantee into a PaymentReceived event on `customs.payments.v1`,
 * keyed by MRN, exactly as a payment system on the topic would. Idempotent by the payment
 * system's `reference`: the same reference for the same MRN is the same event id, counted
 * once. 202 once published (release decides asynchronously), 200 for a reference already
 * taken, 404 for an MRN release does not know yet, 409 when there is nothing left to pay
 * (refused, or released with the duties paid or settled).
 */
@Controller('payments')
@Roles('payment-system', 'admin')
export class PaymentsController {
  constructor(private readonly inputs: ExternalInputsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async receive(@Body() body: PaymentDto, @Res({ passthrough: true }) res: Response) {
    const d = await this.inputs.find(body.mrn);
    const type = EVENT_TYPES.payment;
    const taken = this.inputs.alreadyTaken(d, type, body.reference);
    if (taken) {
      res.status(HttpStatus.OK);
      return { mrn: d.mrn, eventId: taken.eventId, duplicate: true };
    }
    const currency = d.state.valued?.payload.valuation.currency;
    if (currency && body.currency !== currency)
      throw new BadRequestException([`currency: the duties of ${d.mrn} are in ${currency}`]);
    if (d.state.status === 'refused')
      throw new ConflictException(`declaration ${d.mrn} was refused: nothing to pay`);
    const account = d.state.securingAccount;
    const outstanding = account ? new Decimal(account.debited).minus(account.credited) : null;
    if (d.state.status === 'released' && !(outstanding && outstanding.gt(0)))
      throw new ConflictException(`declaration ${d.mrn} is released with nothing outstanding`);
    const payload: PaymentPayload = {
      amount: body.amount,
      currency: body.currency,
      kind: body.kind,
      reference: body.reference,
    };
    const published = await this.inputs.publish(d, TOPICS.payments, type, payload, body.reference);
    return { mrn: d.mrn, eventId: published.eventId, duplicate: false };
  }
}

import { IsIn, IsString, Matches, MaxLength } from 'class-validator';

/** POST /payments: a payment or a lodged guarantee for one declaration's duties and taxes. */
export class PaymentDto {
  @IsString()
  @MaxLength(18)
  mrn!: string;

  /** Positive decimal string in the currency's units, at most 2 decimals: no floats for money. */
  @Matches(/^(?!0+(\.0+)?$)\d{1,15}(\.\d{1,2})?$/, {
    message: 'amount must be a positive decimal string with at most 2 decimals, e.g. "125.50"',
  })
  amount!: string;

  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code, e.g. EUR' })
  currency!: string;

  @IsIn(['payment', 'guarantee'])
  kind!: 'payment' | 'guarantee';

  /** The payment system's own reference: the same reference is the same payment (idempotent). */
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, {
    message: 'reference must be 1-64 letters, digits, ".", "_", ":", "/" or "-"',
  })
  reference!: string;
}

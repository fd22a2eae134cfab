import { DECIMAL } from '@customs/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { OFFICER_ID_PATTERN } from './officer-identity.resolver';

const DECIMAL_MESSAGE = '$property must be a decimal string such as "1234.50"';

/**
 * What an officer may correct on one item after a control: the facts a control can
 * establish (classification, value, origin, quantities). The rest of the declaration is
 * the declarant's to amend.
 */
export class ItemCorrectionDto {
  @IsInt()
  @Min(1)
  @Max(999)
  itemNumber!: number;

  @IsOptional()
  @Matches(/^\d{6}(\d{2}){0,2}$/, { message: '$property must be 6, 8 or 10 digits' })
  commodityCode?: string;

  @IsOptional()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  invoiceAmount?: string;

  @IsOptional()
  @IsString()
  @Length(1, 512)
  description?: string;

  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: '$property must be an ISO 3166-1 alpha-2 code' })
  originCountry?: string;

  @IsOptional()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  quantity?: string;

  @IsOptional()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  netMass?: string;

  @IsOptional()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  grossMass?: string;
}

/** POST /declarations/:mrn/corrections: a control's findings and the corrected items. */
export class CorrectionDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(999)
  @ValidateNested({ each: true })
  @Type(() => ItemCorrectionDto)
  items!: ItemCorrectionDto[];

  /** What the control found: kept with the amendment, on the chain. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  findings!: string;

  @IsOptional()
  @Matches(OFFICER_ID_PATTERN, {
    message: 'officerId must be 1-64 letters, digits, ".", "_", "@" or "-"',
  })
  officerId?: string;
}

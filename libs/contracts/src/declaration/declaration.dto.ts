import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  IsObject,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  DECLARATION_TYPES,
  Declaration,
  DeclarationCosts,
  DeclarationItem,
  DeclarationType,
  DocumentReference,
  INCOTERMS_2020,
  Incoterm,
  Party,
  ProofOfOrigin,
  TRANSPORT_MODES,
  TransportMode,
} from './declaration.model';

/** Non-negative decimal with at most 6 fraction digits, no exponent, no sign. */
export const DECIMAL = /^(0|[1-9]\d{0,14})(\.\d{1,6})?$/;
const DECIMAL_MESSAGE = 'must be a decimal string such as "1234.50"';
const ALPHA2 = /^[A-Z]{2}$/;

export class PartyDto implements Party {
  @Matches(/^[A-Z]{2}[0-9A-Z]{1,15}$/, {
    message: 'must be an EORI-style identifier (country code + up to 15 alphanumerics)',
  })
  id!: string;

  @IsOptional()
  @IsString()
  @MaxLength(70)
  name?: string;

  @IsOptional()
  @Matches(ALPHA2, { message: 'must be an ISO 3166-1 alpha-2 code' })
  country?: string;
}

export class CostsDto implements DeclarationCosts {
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) freight?: string;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) insurance?: string;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) loadingHandling?: string;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) packing?: string;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) containers?: string;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) commissions?: string;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) buyingCommissions?: string;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) royalties?: string;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) assists?: string;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) proceeds?: string;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) transportAfterImport?: string;
  @IsOptional() @Matches(DECIMAL, { message: DECIMAL_MESSAGE }) importDutiesIncluded?: string;
}

export class DocumentReferenceDto implements DocumentReference {
  @Matches(/^[A-Z0-9]{4}$/, { message: 'must be a 4-character document code' })
  code!: string;

  @IsString()
  @Length(1, 35)
  reference!: string;
}

export class ProofOfOriginDto implements ProofOfOrigin {
  @IsString()
  @Length(1, 35)
  type!: string;

  @IsString()
  @Length(1, 35)
  reference!: string;
}

export class DeclarationItemDto implements DeclarationItem {
  @IsInt()
  @Min(1)
  @Max(999)
  itemNumber!: number;

  @Matches(/^\d{6}(\d{2}){0,2}$/, { message: 'must be 6, 8 or 10 digits' })
  commodityCode!: string;

  @IsString()
  @Length(1, 512)
  description!: string;

  @Matches(ALPHA2, { message: 'must be an ISO 3166-1 alpha-2 code' })
  originCountry!: string;

  @IsOptional()
  @Matches(/^\d{3}$/, { message: 'must be a 3-digit preference code' })
  preferenceCode?: string;

  @IsOptional()
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => ProofOfOriginDto)
  proofOfOrigin?: ProofOfOriginDto;

  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  quantity!: string;

  @Matches(/^[A-Z0-9]{2,3}$/, { message: 'must be a UN/ECE Rec. 20 unit code such as KGM or NAR' })
  unit!: string;

  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  netMass!: string;

  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  grossMass!: string;

  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  invoiceAmount!: string;

  @IsOptional()
  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  supplementaryUnits?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(99)
  @ValidateNested({ each: true })
  @Type(() => DocumentReferenceDto)
  documents?: DocumentReferenceDto[];
}

export class DeclarationDto implements Declaration {
  @Matches(/^[A-Za-z0-9-]{1,22}$/, { message: 'must be 1 to 22 letters, digits or hyphens' })
  lrn!: string;

  @IsIn(DECLARATION_TYPES)
  declarationType!: DeclarationType;

  @Matches(/^\d{4}$/, { message: 'must be 4 digits (requested + previous procedure)' })
  procedureCode!: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(99)
  @Matches(/^[A-Z0-9]{3}$/, { each: true, message: 'each must be 3 alphanumerics' })
  additionalProcedureCodes?: string[];

  // ValidateNested alone passes an array (it validates each of its zero elements).
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => PartyDto)
  declarant!: PartyDto;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => PartyDto) importer?: PartyDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PartyDto) exporter?: PartyDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PartyDto) seller?: PartyDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => PartyDto) buyer?: PartyDto;

  @Matches(/^[A-Z]{2}[A-Z0-9]{6}$/, {
    message: 'must be a customs office reference (country + 6 alphanumerics)',
  })
  officeOfLodgement!: string;

  @Matches(/^[A-Za-z0-9-]{1,35}$/, { message: 'must be 1 to 35 letters, digits or hyphens' })
  borderPost!: string;

  @IsIn(TRANSPORT_MODES)
  transportMode!: TransportMode;

  @Matches(ALPHA2, { message: 'must be an ISO 3166-1 alpha-2 code' })
  dispatchCountry!: string;

  @Matches(ALPHA2, { message: 'must be an ISO 3166-1 alpha-2 code' })
  destinationCountry!: string;

  @Matches(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code' })
  invoiceCurrency!: string;

  @Matches(DECIMAL, { message: DECIMAL_MESSAGE })
  invoiceTotal!: string;

  @IsIn(INCOTERMS_2020)
  incoterm!: Incoterm;

  @IsString()
  @Length(1, 35)
  incotermPlace!: string;

  @IsOptional()
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => CostsDto)
  costs?: CostsDto;

  @IsBoolean()
  relatedParty!: boolean;

  @IsInt()
  @Min(1)
  @Max(6)
  valuationMethod!: number;

  @IsOptional()
  @Matches(/^[A-Z0-9-]{1,35}$/, {
    message: 'must be 1 to 35 upper-case letters, digits or hyphens',
  })
  guaranteeReference?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(999)
  @ValidateNested({ each: true })
  @Type(() => DeclarationItemDto)
  items!: DeclarationItemDto[];
}

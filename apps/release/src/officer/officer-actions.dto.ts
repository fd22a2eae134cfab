import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { OFFICER_ID_PATTERN } from './officer-identity.resolver';

export const CONTROL_KINDS = ['documentary-check', 'physical-inspection'] as const;
export const CONTROL_OUTCOMES = ['conform', 'not-conform'] as const;
export const DECISIONS = ['release', 'refuse'] as const;

/** POST /declarations/:mrn/controls: the result of a documentary check or an inspection. */
export class ControlResultDto {
  @IsIn(CONTROL_KINDS)
  control!: (typeof CONTROL_KINDS)[number];

  @IsIn(CONTROL_OUTCOMES)
  outcome!: (typeof CONTROL_OUTCOMES)[number];

  /** What was found; required when not conform (the officer deciding next reads it). */
  @ValidateIf((o: ControlResultDto) => o.outcome === 'not-conform' || o.findings !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  findings?: string;

  @IsOptional()
  @Matches(OFFICER_ID_PATTERN, {
    message: 'officerId must be 1-64 letters, digits, ".", "_", "@" or "-"',
  })
  officerId?: string;
}

/** POST /declarations/:mrn/decision: release or refuse after a not-conform control. */
export class OfficerDecisionDto {
  @IsIn(DECISIONS)
  decision!: (typeof DECISIONS)[number];

  /**
   * Why, at least one ground either way: releasing goods a control found not conform needs
   * a justification as much as refusing them does.
   */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(2000, { each: true })
  grounds!: string[];

  @IsOptional()
  @Matches(OFFICER_ID_PATTERN, {
    message: 'officerId must be 1-64 letters, digits, ".", "_", "@" or "-"',
  })
  officerId?: string;
}

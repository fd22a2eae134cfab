import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** POST /declarations/:mrn/invalidation */
export class InvalidationRequestDto {
  /** Why the declarant withdraws it (goods not imported, lodged twice...). */
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  reason!: string;

  /** Must be the declarant of the declaration: only it may withdraw it. */
  @IsString()
  @Matches(/^[A-Z]{2}[A-Z0-9]{1,15}$/)
  declarantId!: string;
}

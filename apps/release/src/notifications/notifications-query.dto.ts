import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

/** GET /notifications: one recipient's feed after a cursor. */
export class NotificationsQueryDto {
  /** Border post or declarant id (issue 8: taken from the caller's identity instead). */
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  recipient!: string;

  /** The last cursor read (`nextCursor` of the previous answer); 0 or absent: from the start. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

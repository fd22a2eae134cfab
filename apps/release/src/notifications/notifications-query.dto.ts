import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { NOTIFICATION_RECIPIENT_KINDS, NotificationRecipientKind } from '@customs/contracts';

/** GET /notifications: one recipient's feed after a cursor. */
export class NotificationsQueryDto {
  /** Border post or declarant id (issue 8: taken from the caller's identity instead). */
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  recipient!: string;

  /**
   * What the recipient is: declarant or border-post. Optional: a caller who can only be one
   * of them (a declarant's or a border post's token) is taken as that one.
   */
  @IsOptional()
  @IsIn(NOTIFICATION_RECIPIENT_KINDS)
  kind?: NotificationRecipientKind;

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

import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** GET /work-queues/*: filters and paging (the cursor is the last MRN of the previous page). */
export class WorkQueueQueryDto {
  /** Customs office of lodgement, e.g. NL000396. */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  office?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  borderPost?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @Matches(/^[0-9A-Z]{18}$/, {
    message: 'cursor must be an MRN (the nextCursor of the previous page)',
  })
  cursor?: string;
}

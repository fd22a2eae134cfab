import { IsOptional, Matches } from 'class-validator';

export class StatisticsQueryDto {
  @IsOptional()
  @Matches(/^\S{1,128}$/, { message: 'rulesetVersion must be a version id (no spaces)' })
  rulesetVersion?: string;
}

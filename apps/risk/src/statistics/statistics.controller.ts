import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { Roles } from '@customs/platform';
import { StatisticsQueryDto } from './statistics-query.dto';
import { StatisticsService } from './statistics.service';

@Controller('statistics')
@Roles('officer', 'auditor', 'admin')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  /** `?rulesetVersion=V`: that version's figures (404 if unknown); without it, every version's. */
  @Get()
  async get(@Query() query: StatisticsQueryDto) {
    if (query.rulesetVersion === undefined) return { versions: await this.statistics.all() };
    const s = await this.statistics.forVersion(query.rulesetVersion);
    if (!s) throw new NotFoundException(`no ruleset version ${query.rulesetVersion}`);
    return s;
  }
}

import {
  Body,
  Controller,
  Get,
  HttpException,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '@customs/platform';
import { RulesetsService } from './rulesets.service';

/**
 * Officers manage risk rulesets here. The body is the ruleset JSON itself, checked by the
 * domain parser (`parseRuleset`), which reports every problem by JSON path: the ruleset's
 * recursive criteria do not fit class-validator DTOs, and one parser serves the API and
 * `customs reference import risk-rules` alike.
 */
@Controller('rulesets')
export class RulesetsController {
  constructor(private readonly rulesets: RulesetsService) {}

  /**
   * 201 with the version stored; 200 for a re-post of the same content; 400 listing every
   * problem by JSON path (also an effectiveFrom that is not ahead of now); 409 for a version
   * that exists with another content or an effective instant already taken.
   */
  @Post()
  @Roles('officer', 'admin')
  async publish(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const result = await this.rulesets.publish(body);
    switch (result.kind) {
      case 'invalid':
        throw new HttpException(
          {
            statusCode: 400,
            error: 'Bad Request',
            message: 'ruleset is invalid',
            reasons: result.problems.map((p) => ({ code: 'INVALID_RULESET', ...p })),
          },
          400,
        );
      case 'conflict':
        throw new HttpException(
          { statusCode: 409, error: 'Conflict', message: result.message },
          409,
        );
      default: {
        const { kind, ...rest } = result;
        res.status(kind === 'created' ? HttpStatus.CREATED : HttpStatus.OK);
        return { ...rest, outcome: kind };
      }
    }
  }

  @Get()
  @Roles('officer', 'auditor', 'admin')
  list() {
    return this.rulesets.list();
  }

  @Get(':version')
  @Roles('officer', 'auditor', 'admin')
  async get(@Param('version') version: string) {
    const detail = await this.rulesets.get(version);
    if (!detail) throw new NotFoundException(`no ruleset version ${version}`);
    return detail;
  }
}

import { Controller, Get, HttpException, Inject, VERSION_NEUTRAL } from '@nestjs/common';
import { Connection } from 'mongoose';
import { STORE_CONNECTION } from './tokens';

/** Liveness and readiness for orchestrators (the consumer is up before HTTP listens). */
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(@Inject(STORE_CONNECTION) private readonly connection: Connection) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    try {
      await this.connection.db!.admin().ping();
      return { status: 'ok', store: 'up' };
    } catch (error) {
      throw new HttpException({ status: 'unavailable', store: (error as Error).message }, 503);
    }
  }
}

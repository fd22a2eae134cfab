import { BaseRpcContext } from '@nestjs/microservices';

export interface KafkaRecordMeta {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  /** The principal whose signature the record carries (checked against the key registry and the signer policy). */
  signer?: string;
}

/** What an `@EventPattern` handler learns about the record besides its payload (`@Ctx()`). */
export class KafkaEventContext extends BaseRpcContext<[KafkaRecordMeta]> {
  get record(): KafkaRecordMeta {
    return this.args[0];
  }
  get traceparent(): string | undefined {
    return this.args[0].headers.traceparent;
  }
}

export * from './kafka-client.factory';
export * from './kafka-event.context';
export * from './kafka-publisher';
export * from './kafka-transport.server';
export * from './outgoing-record';
export * from './topic-provisioner';
export * from './trace-context';
export * from './transport-observer';

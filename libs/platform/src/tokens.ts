/** Injection tokens shared by the service modules. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const STORE_CONNECTION = Symbol('STORE_CONNECTION');
export const KAFKA_PUBLISHER = Symbol('KAFKA_PUBLISHER');
export const SERVICE_METRICS = Symbol('SERVICE_METRICS');
/** The service's Kafka transport, once bootstrap has created it (for readiness). */
export const KAFKA_TRANSPORT_HEALTH = Symbol('KAFKA_TRANSPORT_HEALTH');
export const KAFKA_ADMIN = Symbol('KAFKA_ADMIN');
/** The service's record signer and key registry (RecordSigning). */
export const RECORD_SIGNING = Symbol('RECORD_SIGNING');

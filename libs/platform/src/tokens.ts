/** Injection tokens shared by the service modules. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const STORE_CONNECTION = Symbol('STORE_CONNECTION');
export const KAFKA_PUBLISHER = Symbol('KAFKA_PUBLISHER');

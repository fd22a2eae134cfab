/** A record that is not a well-formed envelope: never retried, it goes to rejection or dead letter. */
export class MalformedEnvelopeError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MalformedEnvelopeError';
  }
}

/** A schema version the reader does not know (newer than it, or retired). */
export class UnsupportedSchemaVersionError extends MalformedEnvelopeError {
  constructor(type: string, version: unknown, known: readonly number[]) {
    super(
      'UNSUPPORTED_SCHEMA_VERSION',
      `${type} schemaVersion ${String(version)} is not supported; this reader knows ${known.join(', ')}`,
    );
    this.name = 'UnsupportedSchemaVersionError';
  }
}

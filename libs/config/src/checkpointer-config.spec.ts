import { loadCheckpointerConfig } from './checkpointer-config';
import { ConfigurationError } from './service-config';

describe('loadCheckpointerConfig', () => {
  it('gives the defaults: a head every 1000 records or 10 s, port 3004', () => {
    const c = loadCheckpointerConfig({});
    expect(c.CHECKPOINT_EVERY_RECORDS).toBe(1000);
    expect(c.CHECKPOINT_INTERVAL_SECONDS).toBe(10);
    expect(c.CHECKPOINT_TOPIC_PREFIX).toBe('');
    expect(c.httpPort).toBe(3004);
  });

  it('reads and converts values', () => {
    const c = loadCheckpointerConfig({
      CHECKPOINT_EVERY_RECORDS: '50',
      CHECKPOINT_INTERVAL_SECONDS: '2',
      CHECKPOINT_TOPIC_PREFIX: 'scratch-1.',
    });
    expect(c).toMatchObject({
      CHECKPOINT_EVERY_RECORDS: 50,
      CHECKPOINT_INTERVAL_SECONDS: 2,
      CHECKPOINT_TOPIC_PREFIX: 'scratch-1.',
    });
  });

  it('fails fast naming every bad value', () => {
    let error: unknown;
    try {
      loadCheckpointerConfig({
        CHECKPOINT_EVERY_RECORDS: '0',
        CHECKPOINT_INTERVAL_SECONDS: 'soon',
        CHECKPOINT_TOPIC_PREFIX: 'a b',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const msg = (error as Error).message;
    expect(msg).toMatch(/CHECKPOINT_EVERY_RECORDS/);
    expect(msg).toMatch(/CHECKPOINT_INTERVAL_SECONDS/);
    expect(msg).toMatch(/CHECKPOINT_TOPIC_PREFIX/);
  });
});

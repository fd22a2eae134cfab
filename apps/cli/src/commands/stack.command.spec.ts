import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strimziYaml } from './stack.command';

describe('deploy/k8s/users/kafka-users.yaml', () => {
  it('is what `customs stack principals --strimzi` generates from the principals table', () => {
    const committed = readFileSync(
      join(__dirname, '..', '..', '..', '..', 'deploy', 'k8s', 'users', 'kafka-users.yaml'),
      'utf8',
    );
    expect(committed).toBe(strimziYaml({ borderPosts: [], paymentSystems: [] }));
  });
});

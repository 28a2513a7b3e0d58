import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { jvmOpts } from './fetch';
import { InfraError } from './errors';
import { INFRA_ROOT, resolveOptions } from './options';

describe('resolveOptions', () => {
  it('defaults to the ports the services expect and infra/.data', () => {
    const o = resolveOptions({ env: {} });
    expect(o).toMatchObject({ kafkaPort: 9092, kafkaControllerPort: 9093, s3Port: 9000, apertiumPort: 2737, partitions: 3, ownRedis: false });
    expect(o.dir).toBe(path.join(INFRA_ROOT, '.data'));
    expect(o.lib).toBe(path.join(INFRA_ROOT, '.data', 'lib'));
    expect(o.services).toEqual(['kafka', 's3', 'redis', 'apertium']);
  });

  it('reads ports, folders and partitions from the environment; options win over it', () => {
    const env = { WIRE_INFRA_DIR: '/tmp/x', WIRE_KAFKA_PORT: '19092', WIRE_S3_PORT: '19000', WIRE_KAFKA_PARTITIONS: '1', WIRE_INFRA_OWN_REDIS: 'yes' };
    expect(resolveOptions({ env })).toMatchObject({ dir: '/tmp/x', lib: '/tmp/x/lib', kafkaPort: 19092, kafkaControllerPort: 19093, s3Port: 19000, partitions: 1, ownRedis: true });
    expect(resolveOptions({ env, kafkaPort: 29092, dir: '/tmp/y' })).toMatchObject({ dir: '/tmp/y', kafkaPort: 29092, kafkaControllerPort: 29093 });
  });

  it('names the variable and the value when a port or count is bad', () => {
    expect(() => resolveOptions({ env: { WIRE_S3_PORT: '70000' } })).toThrow('WIRE_S3_PORT: expected a port from 1 to 65535, got "70000"');
    expect(() => resolveOptions({ env: { WIRE_KAFKA_PARTITIONS: 'many' } })).toThrow(InfraError);
    expect(() => resolveOptions({ env: {}, services: ['zookeeper' as never] })).toThrow(/unknown service "zookeeper"/);
  });
});

describe('jvmOpts', () => {
  it('puts extra flags after ours, and a collector chosen there replaces ours', () => {
    expect(jvmOpts(['-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20'], '-Xmx1g')).toEqual(['-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Xmx1g']);
    expect(jvmOpts(['-Xmx512m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20'], ' -XX:+UseSerialGC  -XX:TieredStopAtLevel=1 ')).toEqual([
      '-Xmx512m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
    ]);
    expect(jvmOpts(['-Xmx512m'], undefined)).toEqual(['-Xmx512m']);
  });
});

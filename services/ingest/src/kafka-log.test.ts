import { Writable } from 'node:stream';
import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@wire/observability';
import { kafkaLogCreator } from './service';

function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
      done();
    },
  });
  return { lines, log: createLogger({ name: "test", level: "debug" }, sink) };
}

describe('kafkajs log bridge', () => {
  it('keeps errors as errors, and logs the routine CONCURRENT_TRANSACTIONS retry and the bounded-retries notice at debug', async () => {
    const { lines, log } = capture();
    const emit = kafkaLogCreator(log)();
    emit({ level: logLevel.ERROR, log: { message: 'Response AddPartitionsToTxn(key: 24, version: 1)', error: 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing' } });
    emit({ level: logLevel.ERROR, log: { message: 'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing', retryCount: 0 } });
    emit({ level: logLevel.ERROR, log: { message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' } });
    emit({ level: logLevel.WARN, log: { message: 'Limiting retries for the idempotent producer may invalidate EoS guarantees' } });
    emit({ level: logLevel.WARN, log: { message: 'Consumer is not aware of all assigned partitions, refreshing metadata' } });
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.level, l.msg.slice(0, 20)])).toEqual([
      [20, 'Response AddPartitio'],
      [20, 'Failed to send messa'],
      [50, 'Connection error: co'],
      [20, 'Limiting retries for'],
      [40, 'Consumer is not awar'],
    ]);
  });
});

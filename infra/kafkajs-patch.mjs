#!/usr/bin/env node
/**
 * Mends kafkajs 2.2.4's read-committed filter (`src/consumer/filterAbortedMessages.js`) at install
 * (the root package's `postinstall`, so `npm ci --omit=dev` and the Docker image get it too).
 *
 * The filter opens at most one aborted transaction per record it looks at. When a fetch starts
 * after two producers' aborted transactions began and its first record belongs to the later one,
 * that producer's aborted records are handed out as committed. Ingest's per-partition producers
 * write interleaved transactions to the same canonical and events partitions, so under faults ops
 * and every kafkajs subscriber read versions that were never published. The mend opens every
 * aborted transaction that began at or before the record (in offset order), as the Java client
 * does. kafkajs has had no release since 2.2.4; another version stops the install with a message
 * rather than being patched blind. `tests/foundation/kafka-aborted.test.ts` proves the result
 * against the broker.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import console from 'node:console';
import process from 'node:process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let root;
try {
  root = dirname(require.resolve('kafkajs/package.json'));
} catch {
  process.exit(0); // kafkajs not installed in this tree (nothing to mend)
}
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const file = join(root, 'src/consumer/filterAbortedMessages.js');
const source = readFileSync(file, 'utf8');
const MARK = '// wire: every aborted transaction begun at or before this record';

const ORIGINAL = `  const remainingAbortedTransactions = [...abortedTransactions]

  return messages.filter(message => {
    // If the message offset is GTE the first offset of the next aborted transaction
    // then we have stepped into an aborted transaction.
    if (
      remainingAbortedTransactions.length &&
      Long.fromValue(message.offset).gte(remainingAbortedTransactions[0].firstOffset)
    ) {
      const { producerId } = remainingAbortedTransactions.shift()
      currentAbortedTransactions.set(producerId, true)
    }
`;
const MENDED = `  const remainingAbortedTransactions = [...abortedTransactions].sort((a, b) =>
    Long.fromValue(a.firstOffset).compare(Long.fromValue(b.firstOffset))
  )

  return messages.filter(message => {
    ${MARK}
    while (
      remainingAbortedTransactions.length &&
      Long.fromValue(message.offset).gte(remainingAbortedTransactions[0].firstOffset)
    ) {
      const { producerId } = remainingAbortedTransactions.shift()
      currentAbortedTransactions.set(producerId, true)
    }
`;

if (source.includes(MARK)) process.exit(0);
if (version !== '2.2.4' || !source.includes(ORIGINAL)) {
  console.error(
    `kafkajs-patch: kafkajs ${version} at ${root} is not the 2.2.4 this project mends (read-committed filter); ` +
      'check whether it still hands out aborted records (tests/foundation/kafka-aborted.test.ts) and update infra/kafkajs-patch.mjs',
  );
  process.exit(1);
}
writeFileSync(file, source.replace(ORIGINAL, MENDED)); // silent: the install stays quiet

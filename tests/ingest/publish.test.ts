import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { RawWireMessage } from '@wire/queues';
import { run } from '../../packages/cli/src/commands/publish';
import { runCommand } from '../helpers/cli';
import { testEnv, uniqueName } from '../helpers/env';
import { createTopic, deleteTopics, kafkaFor, readUntil } from './helpers';

const SEED = new URL('../fixtures/seed/000_3a1e1f91969e4f14.txt', import.meta.url).pathname;
const NITF = new URL('../fixtures/wire/nitf/', import.meta.url);
const env = testEnv();
const kafka = kafkaFor(env);
const topic = uniqueName('publish').replace(/[^A-Za-z0-9-]/g, '-');

afterAll(() => deleteTopics(kafka, [topic]));

const wire = (argv: string[]) => runCommand(run, argv, env);

describe('wire publish', () => {
  it('puts files on Kafka as envelopes; flags override; a scraped page gets a guid from its content', async () => {
    await createTopic(kafka, topic, 2);
    const { readdirSync } = await import('node:fs');
    const nitfFile = new URL(readdirSync(NITF).find((f) => f.endsWith('.xml')) ?? '', NITF).pathname;

    expect((await wire(['--topic', topic, '--source', 'joongang', SEED])).code).toBe(0);
    expect((await wire(['--topic', topic, '--source', 'joongang', SEED])).code).toBe(0);
    const flagged = await wire(['--topic', topic, '--source', 'ap', '--guid', 'custom-1', '--version', '3', '--pub-status', 'withheld', nitfFile]);
    expect(flagged.code).toBe(0);
    expect(flagged.out).toContain(`key=ap:custom-1`);

    const records = await readUntil(kafka, topic, (r) => r.length >= 3, 30_000);
    const envelopes = records.map((r) => ({ key: r.key, env: RawWireMessage.parse(JSON.parse(r.value)) }));
    const pages = envelopes.filter((e) => e.env.source === 'joongang');
    expect(pages).toHaveLength(2);
    expect(pages[0]?.env.guid).toMatch(/^sha256-[0-9a-f]{32}$/);
    expect(pages[1]?.env.guid).toBe(pages[0]?.env.guid);
    expect(pages[0]?.key).toBe(`joongang:${pages[0]?.env.guid}`);
    expect(pages[0]?.env.payload).toBe(readFileSync(SEED, 'utf8'));
    const ap = envelopes.find((e) => e.env.source === 'ap');
    expect(ap?.env).toMatchObject({ guid: 'custom-1', version: 3, pubStatus: 'withheld', contentType: 'application/xml' });
  });

  it('refuses bad flags and missing files with exit 2 and one error line', async () => {
    const bad = await wire(['--topic', topic, '--pub-status', 'gone', SEED]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error WIRE_ERR_USAGE: --pub-status/);
    const missing = await wire(['--topic', topic, '/nonexistent/file.xml']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^error WIRE_ERR_USAGE: \/nonexistent\/file.xml: cannot read/);
  });
});

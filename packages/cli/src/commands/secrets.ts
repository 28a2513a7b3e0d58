import { z } from 'zod';
import { Redis } from 'ioredis';
import { CommonEnv, envString, loadConfigOrReport, secretBoxOf, SecretsEnv } from '@wire/config';
import { PartnerRegistry } from '@wire/routing';
import { generateSecretsKey } from '@wire/secrets';
import { parseCommandArgs } from '../args';
import type { CommandIO } from '../io';

const USAGE = `usage: wire secrets keygen
       wire secrets rekey

Partner signing secrets are stored in Redis sealed with AES-256-GCM under WIRE_SECRETS_KEY;
each value names the key that sealed it.

  keygen   print a new key (32 random bytes, base64) for WIRE_SECRETS_KEY
  rekey    re-seal every stored secret under WIRE_SECRETS_KEY. To rotate: set the new key as
           WIRE_SECRETS_KEY and the old one in WIRE_SECRETS_OLD_KEYS (comma list) for every
           service, run rekey, then drop the old key. Also seals secrets stored in the clear
           before encryption. Reads REDIS_URL and WIRE_REDIS_PREFIX.
`;

/** What `wire secrets rekey` reads. */
const RekeyEnvSchema = z.object({
  REDIS_URL: CommonEnv.REDIS_URL,
  WIRE_REDIS_PREFIX: envString('wire:'),
  ...SecretsEnv,
});

/** `wire secrets keygen|rekey` — keys for secrets at rest, and rotating them. */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  const args = parseCommandArgs(argv, io, USAGE, { allowPositionals: true, options: { help: { type: 'boolean', short: 'h', default: false } } });
  if (typeof args === 'number') return args;
  const [action, ...extra] = args.positionals;
  if (extra.length > 0 || (action !== 'keygen' && action !== 'rekey')) {
    io.stderr.write(`error WIRE_ERR_USAGE: expected "keygen" or "rekey", got "${args.positionals.join(' ')}"\n${USAGE}`);
    return 2;
  }
  if (action === 'keygen') {
    io.stdout.write(`${generateSecretsKey()}\n`);
    return 0;
  }

  const config = loadConfigOrReport(RekeyEnvSchema, io.env, io.stderr);
  if (!config) return 1;
  const box = secretBoxOf(config);
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 3 });
  try {
    await redis.connect();
    const registry = new PartnerRegistry(redis, { prefix: config.WIRE_REDIS_PREFIX, secretBox: box });
    io.stderr.write(`rekey: partners in ${registry.key}, sealing under key ${box.keyId}\n`);
    const report = await registry.rekey((done, total) => io.stderr.write(`rekey: ${done}/${total} partners\n`));
    const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
    io.stdout.write(`re-sealed ${n(report.resealed, 'secret')} of ${n(report.rewritten, 'partner')} under key ${box.keyId} (${n(report.partners, 'partner')}; ${n(report.current, 'secret')} already under it)\n`);
    return 0;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    io.stderr.write(`error ${e.code?.startsWith('WIRE_ERR_') ? e.code : 'WIRE_ERR_SECRETS_REKEY'}: ${e.message ?? String(err)}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

import fs from 'node:fs';
import path from 'node:path';
import { InfraError } from './errors';
import { INFRA_ROOT, layout, type ResolvedOptions } from './options';
import { DEBIAN_APERTIUM_MODES, DEBIAN_PACKAGES, installCommand, type PackageGroup } from './packages';
import { isOurs, liveRecord, portOpen, startDetached, waitFor, writePidRecord } from './process';
import { isManagedHostPort, type ServiceStatus, type ServiceUp } from './service';

const WRAPPER = path.join(INFRA_ROOT, 'apertium', 'apy-loopback.py');
const PYTHON = '/usr/bin/python3';

function urlOf(o: ResolvedOptions): { url: string; managed: boolean } {
  const own = `http://127.0.0.1:${o.apertiumPort}`;
  const url = ((o.env.APERTIUM_URL ?? '').trim() || own).replace(/\/$/, '');
  try {
    const u = new URL(url);
    return { url: isManagedHostPort(u.hostname, u.port || '80', o.apertiumPort) ? own : url, managed: isManagedHostPort(u.hostname, u.port || '80', o.apertiumPort) };
  } catch {
    throw new InfraError('WIRE_ERR_INFRA_OPTION', `APERTIUM_URL: expected a URL, got "${url}"`);
  }
}

/** APY answers `/listPairs`; resolves to the pairs as `eng|spa` strings when English→Spanish is one. */
async function apertiumAnswers(url: string): Promise<string[] | undefined> {
  const res = await fetch(`${url}/listPairs`, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) return undefined;
  const body = (await res.json()) as { responseData?: { sourceLanguage: string; targetLanguage: string }[] };
  const pairs = (body.responseData ?? []).map((p) => `${p.sourceLanguage}|${p.targetLanguage}`);
  return pairs.includes('eng|spa') ? pairs : undefined;
}

const marker = (dir: string) => `${WRAPPER} --host 127.0.0.1 --marker ${dir}`;

/** The Debian tools starting APY here would need; none when one is configured or answers. */
export async function apertiumNeeds(o: ResolvedOptions): Promise<PackageGroup[]> {
  if (!urlOf(o).managed || liveRecord(layout(o.dir).run, 'apertium') || (await portOpen(o.apertiumPort))) return [];
  return ['apertium'];
}

/** Bring Apertium APY up on 127.0.0.1 (or find it) and return `APERTIUM_URL`. */
export async function ensureApertium(o: ResolvedOptions): Promise<ServiceUp> {
  const L = layout(o.dir);
  const { url, managed } = urlOf(o);
  const env = { APERTIUM_URL: url };
  const logFile = path.join(L.logs, 'apertium-apy.log');

  if (!managed) {
    const pairs = await waitFor(`Apertium APY at APERTIUM_URL=${url}`, () => apertiumAnswers(url), { timeoutMs: 15_000 }).catch((err: unknown) => {
      throw new InfraError('WIRE_ERR_INFRA_UNREACHABLE', `APERTIUM_URL=${url} does not answer with eng|spa: ${(err as Error).message.split('\n')[0]}`);
    });
    return { env, status: { name: 'apertium', state: 'external', address: url, detail: `configured by APERTIUM_URL; ${pairs.length} pairs` } };
  }

  const rec = liveRecord(L.run, 'apertium');
  if (rec) {
    const pairs = await waitFor('Apertium APY', () => apertiumAnswers(url), { timeoutMs: 60_000, alive: () => isOurs(rec.pid, rec.marker), logFile });
    return { env, status: { name: 'apertium', state: 'running', address: url, pid: rec.pid, log: logFile, detail: `pairs ${pairs.join(' ')}` } };
  }

  if (await portOpen(o.apertiumPort)) {
    const pairs = await apertiumAnswers(url).catch(() => undefined);
    if (!pairs) {
      throw new InfraError(
        'WIRE_ERR_INFRA_PORT_TAKEN',
        `127.0.0.1:${o.apertiumPort} is taken by a program that is not Apertium APY with eng|spa: stop it, or set WIRE_APY_PORT=… and APERTIUM_URL=http://127.0.0.1:…`,
      );
    }
    return { env, status: { name: 'apertium', state: 'external', address: url, detail: 'already answering, not started by wire infra' } };
  }

  const modes = o.env.WIRE_APERTIUM_MODES ?? DEBIAN_APERTIUM_MODES;
  if (!fs.existsSync(path.join(modes, 'eng-spa.mode')) || !fs.existsSync('/usr/lib/python3/dist-packages/apertium_apy')) {
    throw new InfraError(
      'WIRE_ERR_INFRA_MISSING_TOOL',
      `Apertium is not installed (need ${path.join(modes, 'eng-spa.mode')} and the apertium_apy module): ${installCommand(DEBIAN_PACKAGES.apertium, false)}`,
    );
  }
  fs.mkdirSync(L.apertium, { recursive: true });
  o.log(`  apertium: starting APY on ${url} (pairs from ${modes}), log ${logFile}`);
  // -t: a long story can take more than APY's default 10 s; -i 2: two pipelines per pair when busy.
  const args = [WRAPPER, '--host', '127.0.0.1', '--marker', o.dir, '-p', String(o.apertiumPort), '-t', '60', '-i', '2', '-n', '1', modes];
  const pid = startDetached(PYTHON, args, { cwd: L.apertium, logFile, env: { ...process.env, PYTHONUNBUFFERED: '1', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } });
  const record = { service: 'apertium', pid, marker: marker(o.dir), address: url, log: logFile, startedAt: new Date().toISOString() };
  writePidRecord(L.run, record);
  const pairs = await waitFor('Apertium APY', () => apertiumAnswers(url), { timeoutMs: 60_000, alive: () => isOurs(pid, record.marker), logFile });
  return { env, status: { name: 'apertium', state: 'started', address: url, pid, log: logFile, detail: `pairs ${pairs.join(' ')}` } };
}

/** Status without starting anything. */
export async function apertiumStatus(o: ResolvedOptions): Promise<ServiceStatus> {
  const L = layout(o.dir);
  const { url, managed } = urlOf(o);
  const rec = managed ? liveRecord(L.run, 'apertium') : undefined;
  const pairs = await apertiumAnswers(url).catch(() => undefined);
  if (rec) return { name: 'apertium', state: pairs ? 'running' : 'stopped', address: url, pid: rec.pid, log: rec.log, detail: pairs ? `pairs ${pairs.join(' ')}` : 'process alive, not answering' };
  return { name: 'apertium', state: pairs ? 'external' : 'stopped', address: url, detail: pairs ? 'not started by wire infra' : undefined };
}

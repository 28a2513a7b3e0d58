import { describe, expect, it } from 'vitest';
import { InfraError } from './errors';
import { readFileSync } from 'node:fs';
import { APERTIUM_PAIRS, DEBIAN_PACKAGES, ensurePackages, planPackages, type PackageHost } from './packages';

/**
 * A Debian machine in miniature: which packages dpkg lists, which files and commands exist, and
 * what apt-get does (it installs what it is asked for, printing apt's own lines). Every command run
 * is recorded, so a test sees exactly what would have been run on a real machine.
 */
function fakeDebian(opts: { installed: string[]; root?: boolean; apt?: boolean; dpkg?: boolean; unknown?: string[] }) {
  const installed = new Set(opts.installed);
  const calls: Array<{ cmd: string; args: string[]; env?: NodeJS.ProcessEnv }> = [];
  const has = (pkg: string) => installed.has(pkg);
  const files = (): Set<string> => {
    const f = new Set<string>();
    if (has('chromium')) f.add('/usr/bin/chromium');
    if (has('apertium-apy')) f.add('/usr/lib/python3/dist-packages/apertium_apy');
    for (const [pkg, mode] of Object.entries(APERTIUM_PAIRS)) if (has(pkg)) f.add(`/usr/share/apertium/modes/${mode}.mode`);
    return f;
  };
  const host: PackageHost = {
    isRoot: opts.root ?? true,
    exists: (file) => files().has(file),
    run: async (cmd, args, o = {}) => {
      calls.push({ cmd, args: [...args], env: o.env });
      const out = (output: string, code = 0) => {
        for (const line of output.split('\n')) o.onLine?.(line);
        return { code, output };
      };
      switch (cmd) {
        case 'java':
          return has('openjdk-17-jre-headless') ? out('openjdk version "17.0.15" 2025-04-15') : { code: null, output: '' };
        case 'mvn':
          return has('maven') ? out('Apache Maven 3.8.7') : { code: null, output: '' };
        case 'redis-server':
          return has('redis-server') ? out('Redis server v=7.0.15') : { code: null, output: '' };
        case 'python3':
          return has('python3') ? out('Python 3.11.2') : { code: null, output: '' };
        case 'dpkg-query':
          if (opts.dpkg === false) return { code: null, output: '' };
          return out(args.slice(2).filter(has).map((p) => `${p}\tinstalled`).join('\n'), 0);
        case 'apt-get': {
          if (opts.apt === false) return { code: null, output: '' };
          if (args[0] === '--version') return out('apt 2.6.1 (amd64)');
          if (args[0] === 'update') return out('Reading package lists...');
          const wanted = args.filter((a, i) => i > 0 && !a.startsWith('-') && args[i - 1] !== '-o');
          const bad = wanted.filter((p) => opts.unknown?.includes(p));
          if (bad.length > 0) return out(`Reading package lists...\nE: Unable to locate package ${bad[0]}`, 100);
          const lines = ['Need to get 71.2 MB of archives.', 'Setting up libfoo1:amd64 (1.0-1) ...'];
          for (const p of wanted) {
            installed.add(p);
            lines.push(`Setting up ${p}:amd64 (1.2.3-1) ...`);
          }
          return out(lines.join('\n'));
        }
        default:
          return { code: null, output: '' };
      }
    },
  };
  return { host, calls, installed };
}

const ALL = Object.values(DEBIAN_PACKAGES).flat();
const env = {};

describe('ensurePackages', () => {
  it('runs nothing but checks when every tool is here', async () => {
    const m = fakeDebian({ installed: ALL });
    const lines: string[] = [];
    expect(await ensurePackages(['java', 'maven', 'redis', 'apertium', 'browser'], { log: (l) => lines.push(l), env, host: m.host })).toEqual([]);
    expect(m.calls.filter((c) => c.cmd === 'apt-get')).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('as root with apt-get: one update, one non-interactive install of exactly what is missing, one line per package', async () => {
    const m = fakeDebian({ installed: ALL.filter((p) => p !== 'chromium' && p !== 'redis-server') });
    const lines: string[] = [];
    const installed = await ensurePackages(['redis', 'apertium', 'browser'], { log: (l) => lines.push(l), env, host: m.host });
    expect(installed).toEqual(['redis-server', 'chromium']);
    const apt = m.calls.filter((c) => c.cmd === 'apt-get' && c.args[0] !== '--version');
    expect(apt.map((c) => c.args[0])).toEqual(['update', 'install']);
    expect(apt[1]?.args).toEqual(expect.arrayContaining(['-y', '--no-install-recommends', 'redis-server', 'chromium']));
    expect(apt.every((c) => c.env?.DEBIAN_FRONTEND === 'noninteractive')).toBe(true);
    expect(lines.filter((l) => l.includes('installed redis-server') || l.includes('installed chromium'))).toEqual([
      '  installed redis-server 1.2.3-1',
      '  installed chromium 1.2.3-1',
    ]);
    expect(lines).toContain('  to download: 71.2 MB');
    expect(lines.at(-1)).toMatch(/^ {2}2 package\(s\) and 1 dependencies installed in \d+ s$/);
    expect(m.installed.has('chromium')).toBe(true);
  });

  it('installs only the Apertium pair that is missing', async () => {
    const m = fakeDebian({ installed: ALL.filter((p) => p !== 'apertium-eng-spa') });
    expect(await ensurePackages(['apertium'], { log: () => undefined, env, host: m.host })).toEqual(['apertium-eng-spa']);
  });

  it('not root: stops with the one command to run and installs nothing', async () => {
    const m = fakeDebian({ installed: ALL.filter((p) => p !== 'openjdk-17-jre-headless' && p !== 'maven'), root: false });
    const err = await ensurePackages(['java', 'maven'], { log: () => undefined, env, host: m.host }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfraError);
    expect((err as InfraError).code).toBe('WIRE_ERR_INFRA_MISSING_TOOL');
    expect((err as Error).message).toContain('missing here: java, maven (not running as root, so not installing). Run:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends openjdk-17-jre-headless maven');
    expect(m.calls.filter((c) => c.cmd === 'apt-get' && c.args[0] !== '--version')).toEqual([]);
  });

  it('root but told not to install (WIRE_INFRA_INSTALL=0): the command, without sudo', async () => {
    const m = fakeDebian({ installed: ALL.filter((p) => p !== 'redis-server') });
    await expect(ensurePackages(['redis'], { log: () => undefined, env, host: m.host, install: false })).rejects.toThrow(
      'missing here: redis (WIRE_INFRA_INSTALL=0, so not installing). Run:\n  apt-get update && apt-get install -y --no-install-recommends redis-server',
    );
  });

  it('no apt-get and no dpkg: names the Debian packages to find an equivalent of', async () => {
    const m = fakeDebian({ installed: [], apt: false, dpkg: false });
    await expect(ensurePackages(['redis'], { log: () => undefined, env, host: m.host })).rejects.toThrow(
      'missing here: redis. This machine has no apt-get: install the equivalent of the Debian packages redis-server with its package manager',
    );
  });

  it('an apt-get failure carries apt’s error line and the command to retry', async () => {
    const m = fakeDebian({ installed: ALL.filter((p) => p !== 'apertium-eng-spa'), unknown: ['apertium-eng-spa'] });
    await expect(ensurePackages(['apertium'], { log: () => undefined, env, host: m.host })).rejects.toThrow(
      /apt-get install failed \(exit 100\):\n {4}E: Unable to locate package apertium-eng-spa\nRun by hand: apt-get update && apt-get install -y --no-install-recommends apertium-eng-spa/,
    );
  });

  it('a tool that works without its Debian package (another JDK on JAVA_HOME) needs nothing', async () => {
    const m = fakeDebian({ installed: ['openjdk-17-jre-headless'] });
    m.installed.delete('openjdk-17-jre-headless');
    const host: PackageHost = {
      ...m.host,
      run: (cmd, args, o) => (cmd === '/opt/jdk-21/bin/java' ? Promise.resolve({ code: 0, output: 'openjdk version "21.0.2"' }) : m.host.run(cmd, args, o)),
    };
    expect(await planPackages(['java'], { JAVA_HOME: '/opt/jdk-21' }, host)).toEqual({ groups: [], packages: [] });
    expect(await planPackages(['java'], {}, host)).toEqual({ groups: ['java'], packages: ['openjdk-17-jre-headless'] });
  });
});

describe('the Apertium image', () => {
  it('installs every pair the local infrastructure installs', () => {
    const dockerfile = readFileSync(new URL('../compose/apertium.Dockerfile', import.meta.url), 'utf8');
    const missing = Object.keys(APERTIUM_PAIRS).filter((pkg) => !new RegExp(`\\s${pkg}\\s`).test(dockerfile));
    expect(missing).toEqual([]);
  });
});

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { InfraError } from './errors';

/**
 * Apertium language pairs APY serves: each Debian package and one mode file it brings (how the
 * package step tells whether it is there). English–Spanish is required; the others are the pairs
 * partners are likely to want — Norwegian Bokmål/Nynorsk, Swedish/Danish/Norwegian,
 * Spanish/Catalan/Portuguese/Italian/Galician, English–Catalan/Galician, French–Spanish. The
 * translator discovers what APY offers (`/listPairs`) and pivots where two pairs make a path.
 */
export const APERTIUM_PAIRS = {
  'apertium-eng-spa': 'eng-spa',
  'apertium-nno-nob': 'nno-nob',
  'apertium-swe-dan': 'swe-dan',
  'apertium-swe-nor': 'swe-nob',
  'apertium-dan-nor': 'dan-nob',
  'apertium-spa-cat': 'spa-cat',
  'apertium-por-cat': 'por-cat',
  'apertium-spa-ita': 'spa-ita',
  'apertium-cat-ita': 'cat-ita',
  'apertium-es-gl': 'es-gl',
  'apertium-es-pt': 'es-pt',
  'apertium-pt-gl': 'pt-gl',
  'apertium-eng-cat': 'eng-cat',
  'apertium-en-gl': 'en-gl',
  'apertium-fr-es': 'fr-es',
} as const satisfies Record<string, string>;
export const APERTIUM_PAIR_PACKAGES = Object.keys(APERTIUM_PAIRS) as Array<keyof typeof APERTIUM_PAIRS>;

/**
 * The Debian packages the local pipeline needs, by what needs them: the one list `wire infra up`,
 * `wire infra deps`, the test setup and `.ci/run` install from.
 */
export const DEBIAN_PACKAGES = {
  /** Kafka 4 and S3Proxy 3 need Java 17 or newer. */
  java: ['openjdk-17-jre-headless'],
  /** Fetches the Kafka and S3Proxy jars (first run only). */
  maven: ['maven'],
  /** Only when no Redis answers and none is configured. */
  redis: ['redis-server'],
  /** Apertium APY and its pairs; python3 runs infra/apertium/apy-loopback.py. */
  apertium: ['apertium', 'apertium-apy', 'python3', ...APERTIUM_PAIR_PACKAGES],
  /** The browser tests drive Debian's Chromium (/usr/bin/chromium). */
  browser: ['chromium'],
} as const satisfies Record<string, readonly string[]>;
export type PackageGroup = keyof typeof DEBIAN_PACKAGES;
export const PACKAGE_GROUPS = Object.keys(DEBIAN_PACKAGES) as PackageGroup[];

/** Where Debian's apertium-* language packages put their mode files. */
export const DEBIAN_APERTIUM_MODES = '/usr/share/apertium/modes';
const APY_MODULE = '/usr/lib/python3/dist-packages/apertium_apy';
const CHROMIUM = '/usr/bin/chromium';

/** What the package step runs commands with (the real machine, or a test's stand-in). */
export interface PackageHost {
  /** Run a command; `code` is null when it could not start (not installed). Each output line goes to `onLine`. */
  run(cmd: string, args: readonly string[], opts?: { env?: NodeJS.ProcessEnv; onLine?: (line: string) => void }): Promise<{ code: number | null; output: string }>;
  exists(file: string): boolean;
  isRoot: boolean;
}

/** The machine this process runs on. */
const realHost: PackageHost = {
  run: (cmd, args, opts = {}) =>
    new Promise((resolve) => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
      let output = '';
      let buf = '';
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        output += text;
        buf += text;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          opts.onLine?.(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('error', () => resolve({ code: null, output }));
      child.on('close', (code) => resolve({ code: code ?? 1, output }));
    }),
  exists: (file) => fs.existsSync(file),
  isRoot: process.getuid?.() === 0,
};

/** The Java major version in `java -version` output (`1.8` is 8), or 0 when there is none. */
export function javaMajor(versionOutput: string): number {
  const m = versionOutput.match(/version "(\d+)(?:\.(\d+))?/);
  return m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : 0;
}

/** True when what a group provides already works here, whatever installed it (SDKMAN's Java, a source build…). */
async function provided(group: PackageGroup, host: PackageHost, env: Record<string, string | undefined>): Promise<boolean> {
  const works = async (cmd: string, args: string[]) => (await host.run(cmd, args)).code === 0;
  switch (group) {
    case 'java': {
      const r = await host.run(env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java', ['-version']);
      return r.code === 0 && javaMajor(r.output) >= 17;
    }
    case 'maven':
      return works('mvn', ['-v']);
    case 'redis':
      return works('redis-server', ['--version']);
    case 'apertium': {
      const modes = env.WIRE_APERTIUM_MODES ?? DEBIAN_APERTIUM_MODES;
      const pairsThere = Object.values(APERTIUM_PAIRS).every((mode) => host.exists(path.join(modes, `${mode}.mode`)));
      return pairsThere && host.exists(APY_MODULE) && (await works('python3', ['--version']));
    }
    case 'browser':
      return host.exists(CHROMIUM);
  }
}

/** Which of `packages` dpkg does not list as installed; undefined on a machine without dpkg. */
async function notInstalled(packages: readonly string[], host: PackageHost): Promise<string[] | undefined> {
  const r = await host.run('dpkg-query', ['-W', '-f=${Package}\t${db:Status-Status}\n', ...packages]);
  if (r.code === null) return undefined;
  const installed = new Set(
    r.output
      .split('\n')
      .map((l) => l.split('\t'))
      .filter(([, status]) => status === 'installed')
      .map(([name]) => name?.replace(/:.*$/, '')),
  );
  return packages.filter((p) => !installed.has(p));
}

export interface PackagePlan {
  /** Groups whose tools are missing here. */
  groups: PackageGroup[];
  /** The Debian packages to install for them. */
  packages: string[];
}

/** What is missing for `groups`, without changing anything. */
export async function planPackages(groups: readonly PackageGroup[], env: Record<string, string | undefined>, host: PackageHost = realHost): Promise<PackagePlan> {
  const plan: PackagePlan = { groups: [], packages: [] };
  for (const group of new Set(groups)) {
    if (await provided(group, host, env)) continue;
    const wanted = DEBIAN_PACKAGES[group];
    // Without dpkg nothing tells which are there: name them all (the message lists them).
    const missing = (await notInstalled(wanted, host)) ?? [...wanted];
    if (missing.length === 0) continue;
    plan.groups.push(group);
    for (const p of missing) if (!plan.packages.includes(p)) plan.packages.push(p);
  }
  return plan;
}

/** The one command a person runs when we may not install ourselves. */
export function installCommand(packages: readonly string[], asRoot: boolean): string {
  const sudo = asRoot ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

export interface EnsurePackagesOptions {
  log: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Install what is missing when root with apt-get (default); false: only say what to run. */
  install?: boolean;
  host?: PackageHost;
}

/**
 * Make sure the tools of `groups` are here. What is missing is installed with apt-get when this
 * process is root on a machine with apt-get (non-interactive, one `apt-get update`, one line per
 * package as it is set up); otherwise this throws `WIRE_ERR_INFRA_MISSING_TOOL` with the one
 * command to run. Returns the packages it installed.
 */
export async function ensurePackages(groups: readonly PackageGroup[], opts: EnsurePackagesOptions): Promise<string[]> {
  const host = opts.host ?? realHost;
  const plan = await planPackages(groups, opts.env, host);
  if (plan.packages.length === 0) return [];
  const what = plan.groups.join(', ');
  const hasApt = (await host.run('apt-get', ['--version'])).code === 0;
  if (!hasApt) {
    throw new InfraError(
      'WIRE_ERR_INFRA_MISSING_TOOL',
      `missing here: ${what}. This machine has no apt-get: install the equivalent of the Debian packages ${plan.packages.join(' ')} with its package manager`,
      { groups: plan.groups, packages: plan.packages },
    );
  }
  if (!host.isRoot || opts.install === false) {
    const why = host.isRoot ? 'WIRE_INFRA_INSTALL=0' : 'not running as root';
    throw new InfraError('WIRE_ERR_INFRA_MISSING_TOOL', `missing here: ${what} (${why}, so not installing). Run:\n  ${installCommand(plan.packages, host.isRoot)}`, {
      groups: plan.groups,
      packages: plan.packages,
    });
  }

  const started = Date.now();
  opts.log(`installing Debian packages for ${what}: ${plan.packages.join(' ')}`);
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' };
  const apt = async (args: string[], onLine?: (line: string) => void) => {
    const r = await host.run('apt-get', args, { env: aptEnv, onLine });
    if (r.code !== 0) {
      const errors = r.output.split('\n').filter((l) => /^(E|W):|error/i.test(l)).slice(-8);
      throw new InfraError('WIRE_ERR_INFRA_MISSING_TOOL', `apt-get ${args[0]} failed (exit ${r.code}):\n    ${errors.join('\n    ') || r.output.trim().split('\n').slice(-8).join('\n    ')}\nRun by hand: ${installCommand(plan.packages, true)}`, {
        groups: plan.groups,
        packages: plan.packages,
      });
    }
  };
  opts.log('  apt-get update…');
  await apt(['update', '-q']);
  const wanted = new Set(plan.packages);
  let dependencies = 0;
  await apt(['install', '-y', '-q', '--no-install-recommends', '-o', 'Dpkg::Use-Pty=0', '-o', 'DPkg::Lock::Timeout=300', ...plan.packages], (line) => {
    const need = line.match(/^Need to get (.+) of archives/);
    if (need) opts.log(`  to download: ${need[1]}`);
    const setUp = line.match(/^Setting up ([^:\s]+)(?::\S+)? \(([^)]+)\)/);
    if (!setUp) return;
    if (wanted.has(setUp[1] ?? '')) opts.log(`  installed ${setUp[1]} ${setUp[2]}`);
    else dependencies++;
  });
  const stillMissing: PackageGroup[] = [];
  for (const group of plan.groups) if (!(await provided(group, host, opts.env))) stillMissing.push(group);
  if (stillMissing.length > 0) {
    throw new InfraError('WIRE_ERR_INFRA_MISSING_TOOL', `apt-get installed ${plan.packages.join(' ')}, yet ${stillMissing.join(', ')} still does not work here`, { groups: stillMissing });
  }
  opts.log(`  ${plan.packages.length} package(s) and ${dependencies} dependencies installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return plan.packages;
}

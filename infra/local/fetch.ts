import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InfraError } from './errors';
import { INFRA_ROOT } from './options';
import { DEBIAN_PACKAGES, installCommand, javaMajor } from './packages';

/** The Maven-fetched runtimes: a pom under infra/maven/<name>/ each. */
export const ARTIFACTS = {
  kafka: { pom: path.join(INFRA_ROOT, 'maven', 'kafka', 'pom.xml'), property: 'kafka.version' },
  s3proxy: { pom: path.join(INFRA_ROOT, 'maven', 's3proxy', 'pom.xml'), property: 's3proxy.version' },
} as const;
export type ArtifactName = keyof typeof ARTIFACTS;

/** The version a pom pins (e.g. Kafka 4.4.0), read from its `<properties>`. */
export function artifactVersion(name: ArtifactName): string {
  const { pom, property } = ARTIFACTS[name];
  const m = fs.readFileSync(pom, 'utf8').match(new RegExp(`<${property.replace('.', '\\.')}>([^<]+)</`));
  return m?.[1] ?? 'unknown';
}

/** The folder holding the jars of `name` (its classpath is `<folder>/*`). */
export function libDir(libRoot: string, name: ArtifactName): string {
  return path.join(libRoot, name);
}

function pomHash(name: ArtifactName): string {
  return createHash('sha256').update(fs.readFileSync(ARTIFACTS[name].pom)).digest('hex');
}

/** True when the jars for the current pom are already copied (then no network is needed). */
export function artifactsReady(libRoot: string, name: ArtifactName): boolean {
  try {
    return fs.readFileSync(path.join(libDir(libRoot, name), '.pom-sha256'), 'utf8').trim() === pomHash(name);
  } catch {
    // No stamp yet: never fetched into this folder.
    return false;
  }
}

/** Find `java` (JAVA_HOME first) and check it is 17 or newer; Kafka 4 and S3Proxy 3 need 17. */
export function findJava(env: Record<string, string | undefined>): string {
  const java = env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : 'java';
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new InfraError(
      'WIRE_ERR_INFRA_JAVA',
      `java not found (${java}): install a JDK 17+ (Debian: ${installCommand(DEBIAN_PACKAGES.java, false)}) or set JAVA_HOME`,
    );
  }
  const major = javaMajor(`${r.stderr}${r.stdout}`);
  if (major < 17) {
    throw new InfraError('WIRE_ERR_INFRA_JAVA', `${java} is Java ${major || '?'}; Kafka 4 and S3Proxy 3 need Java 17 or newer (set JAVA_HOME)`);
  }
  return java;
}

/**
 * Our JVM flags plus extra ones from the environment (WIRE_KAFKA_JVM_OPTS / WIRE_S3_JVM_OPTS),
 * placed after ours so they win. A collector chosen there replaces ours: the JVM refuses two.
 */
export function jvmOpts(defaults: readonly string[], raw: string | undefined): string[] {
  const extra = (raw ?? '').split(/\s+/).filter(Boolean);
  const isGc = (f: string) => /^-XX:\+Use\w*GC$/.test(f) || f.startsWith('-XX:MaxGCPauseMillis');
  const base = extra.some((f) => /^-XX:\+Use\w*GC$/.test(f)) ? defaults.filter((f) => !isGc(f)) : [...defaults];
  return [...base, ...extra];
}

/**
 * Copy the jars of `name` into the data folder with `mvn dependency:copy-dependencies` (downloads
 * go to ~/.m2 once; later runs copy from there without network). Prints each download as it
 * happens so a first run does not look stuck.
 */
export async function fetchArtifact(libRoot: string, name: ArtifactName, log: (line: string) => void): Promise<'cached' | 'fetched'> {
  if (artifactsReady(libRoot, name)) return 'cached';
  const out = libDir(libRoot, name);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  log(`fetching ${name} ${artifactVersion(name)} jars with Maven (first run downloads to ~/.m2)…`);
  const started = Date.now();
  const args = ['-B', '-Dstyle.color=never', '-f', ARTIFACTS[name].pom, 'dependency:copy-dependencies', `-DoutputDirectory=${out}`, '-DincludeScope=runtime'];
  const lines: string[] = [];
  let downloads = 0;
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('error', (err) =>
      reject(new InfraError('WIRE_ERR_INFRA_MAVEN', `mvn not found: install Maven (Debian: ${installCommand(DEBIAN_PACKAGES.maven, false)})`, {}, { cause: err })),
    );
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        if (lines.length > 200) lines.shift();
        const m = line.match(/^Downloaded from [^:]+: \S+\/([^/]+\.(?:jar|pom)) \(([^)]+)\)/);
        if (m) {
          downloads++;
          if (m[1]?.endsWith('.jar')) log(`  downloaded ${m[1]} (${m[2]})`);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    const tailLines = lines.filter((l) => /ERROR|FAIL/.test(l)).slice(-10).join('\n    ');
    throw new InfraError(
      'WIRE_ERR_INFRA_MAVEN',
      `mvn dependency:copy-dependencies for ${name} failed (exit ${code}); Maven Central must be reachable on the first run:\n    ${tailLines}`,
    );
  }
  const jars = fs.readdirSync(out).filter((f) => f.endsWith('.jar')).length;
  fs.writeFileSync(path.join(out, '.pom-sha256'), `${pomHash(name)}\n`);
  log(`  ${name}: ${jars} jars ready in ${out} (${downloads} files downloaded, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return 'fetched';
}

/** `wire infra fetch`: every Maven runtime, so later runs need no network. */
export async function fetchArtifacts(libRoot: string, log: (line: string) => void): Promise<void> {
  for (const name of Object.keys(ARTIFACTS) as ArtifactName[]) {
    const r = await fetchArtifact(libRoot, name, log);
    if (r === 'cached') log(`${name} ${artifactVersion(name)}: jars already in ${libDir(libRoot, name)}`);
  }
}

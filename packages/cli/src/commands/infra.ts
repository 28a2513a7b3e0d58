import {
  DEBIAN_PACKAGES,
  ensureInfra,
  ensurePackages,
  exportLines,
  fetchArtifacts,
  infraStatus,
  InfraError,
  installCommand,
  PACKAGE_GROUPS,
  planPackages,
  resolveOptions,
  INFRA_SERVICES,
  stopInfra,
  type InfraOptions,
  type InfraService,
  type ServiceStatus,
} from '@wire/infra';
import { parseCommandArgs } from '../args';
import type { CommandIO } from '../io';

const USAGE = `usage: wire infra <up|down|status|fetch|deps> [options]

  up       start Kafka, S3 (S3Proxy), Redis and Apertium APY on 127.0.0.1 where none answers,
           wait until each answers, print addresses and the environment to use (idempotent)
  down     stop exactly what 'up' started (by PID file); nothing else
  status   show each service (exit 0 when every one answers, 3 when one does not)
  fetch    download the Kafka and S3Proxy jars with Maven only (for CI images / offline later)
  deps     install every Debian package the pipeline and its tests may need (${PACKAGE_GROUPS.join(', ')});
           'up' installs what the services it starts need by itself

options:
  --dir DIR          data, logs and PID files (default infra/.data; env WIRE_INFRA_DIR)
  (jars: env WIRE_INFRA_LIB, default DIR/lib)
  --only a,b         only these services: ${INFRA_SERVICES.join(', ')}
  --partitions N     partitions of the pipeline topics (default 3; env WIRE_KAFKA_PARTITIONS)
  --check            with deps: only list what is missing (exit 3 when something is)
  --json             print one JSON object instead of text

Missing Debian packages (Java 17+, Maven, redis-server, Apertium, Chromium) are installed with
apt-get when run as root; otherwise the command stops with the one command to run.
Set WIRE_INFRA_INSTALL=0 to never install.

ports: WIRE_KAFKA_PORT (9092), WIRE_KAFKA_CONTROLLER_PORT (9093), WIRE_S3_PORT (9000),
WIRE_APY_PORT (2737), WIRE_REDIS_PORT (a free port, only when no Redis answers on 6379).
`;

function describe(s: ServiceStatus, runningLabel = 'already running'): string {
  const what: Record<ServiceStatus['state'], string> = {
    started: 'started',
    running: runningLabel,
    external: 'answering (not ours)',
    stopped: 'stopped',
  };
  const pid = s.pid ? ` pid ${s.pid}` : '';
  const detail = s.detail ? ` — ${s.detail}` : '';
  return `  ${s.name.padEnd(9)} ${what[s.state].padEnd(21)} ${s.address}${pid}${detail}`;
}

/** `wire infra up|down|status|fetch` — the local real services (see infra/local). */
export async function run(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseCommandArgs(argv, io, USAGE, {
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      only: { type: 'string' },
      partitions: { type: 'string' },
      check: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [sub] = positionals;
  if (!sub || !['up', 'down', 'status', 'fetch', 'deps'].includes(sub) || positionals.length > 1) {
    io.stderr.write(`error WIRE_ERR_USAGE: expected one of up, down, status, fetch, deps${sub ? `, got "${positionals.join(' ')}"` : ''}\n${USAGE}`);
    return 2;
  }
  // `wire infra up | head` closes stdout early: that must not kill `up` halfway through.
  const ignoreClosedPipe = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  };
  io.stdout.on('error', ignoreClosedPipe);
  const json = values.json;
  const say = (line: string) => (json ? io.stderr : io.stdout).write(`${line}\n`);
  const opts: InfraOptions = {
    env: io.env,
    log: say,
    ...(values.dir ? { dir: values.dir } : {}),
    ...(values.partitions ? { partitions: Number(values.partitions) } : {}),
    ...(values.only ? { services: values.only.split(',').map((s) => s.trim()) as InfraService[] } : {}),
  };

  const t0 = Date.now();
  try {
    const o = resolveOptions(opts);
    if (sub === 'deps') {
      const env = o.env;
      if (values.check) {
        const plan = await planPackages(PACKAGE_GROUPS, env);
        if (json) io.stdout.write(`${JSON.stringify(plan)}\n`);
        else if (plan.packages.length === 0) say(`every Debian package is here (${PACKAGE_GROUPS.map((g) => `${g}: ${DEBIAN_PACKAGES[g].join(' ')}`).join('; ')})`);
        else say(`missing: ${plan.groups.join(', ')}\n  ${installCommand(plan.packages, process.getuid?.() === 0)}`);
        return plan.packages.length === 0 ? 0 : 3;
      }
      const installed = await ensurePackages(PACKAGE_GROUPS, { log: say, env, install: o.install });
      if (json) io.stdout.write(`${JSON.stringify({ installed })}\n`);
      else if (installed.length === 0) say('every Debian package the pipeline needs is here');
      return 0;
    }
    if (sub === 'fetch') {
      await fetchArtifacts(opts);
      say(`jars ready under ${o.lib} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      if (json) io.stdout.write(`${JSON.stringify({ lib: o.lib })}\n`);
      return 0;
    }
    if (sub === 'up') {
      const up = await ensureInfra(opts);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (json) {
        io.stdout.write(`${JSON.stringify({ env: up.env, started: up.started, services: up.services, seconds: Number(secs) })}\n`);
        return 0;
      }
      say(up.started.length === 0 ? `all services already running (${secs} s); nothing started` : `started ${up.started.join(', ')} in ${secs} s`);
      for (const s of up.services) say(describe(s));
      say(`\ndata, logs and PID files: ${o.dir}   (stop with: npm run wire -- infra down)`);
      say('environment for services and tests (the defaults already match):');
      for (const line of exportLines(up.env)) say(`  ${line}`);
      return 0;
    }
    if (sub === 'down') {
      const stopped = await stopInfra(opts);
      if (json) io.stdout.write(`${JSON.stringify({ stopped })}\n`);
      else say(stopped.length === 0 ? `nothing to stop: no service started by wire infra runs from ${o.dir}` : `stopped ${stopped.join(', ')}`);
      return 0;
    }
    const status = await infraStatus(opts);
    if (json) io.stdout.write(`${JSON.stringify({ services: status })}\n`);
    else {
      say(`wire infra status (${o.dir})`);
      for (const s of status) say(describe(s, 'running (wire)'));
    }
    return status.every((s) => s.state !== 'stopped') ? 0 : 3;
  } catch (err) {
    if (err instanceof InfraError) {
      io.stderr.write(`error ${err.code}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/**
 * A chaos run stops what it started on the way out, on Ctrl-C and on failure. Should its own
 * process be killed outright, its children would stay behind: each run writes `children.json`
 * (its PID, its children's PIDs and what identifies them), and the next run stops the children of
 * a run whose process is gone — by PID, only when the process still carries that run's mark —
 * and its Kafka and S3Proxy by their PID files.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stopInfra } from '@wire/infra';

/** The environment variable naming the run in each of its services' environment. */
export const RUN_MARKER = 'WIRE_CHAOS_RUN';

/** A child of a run: its PID and a string its command line or environment must contain. */
export interface ChildRecord {
  pid: number;
  mark: string;
}

function carries(pid: number, mark: string): boolean {
  for (const file of ['cmdline', 'environ']) {
    try {
      if (readFileSync(`/proc/${pid}/${file}`, 'latin1').replace(/\0/g, ' ').includes(mark)) return true;
    } catch {
      // Gone, or not ours to read: not a child of that run.
    }
  }
  return false;
}

/** Whether a process with this PID exists (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: no such process.
    return false;
  }
}

/** Stop what runs under `root` left behind when their process died; returns the runs cleaned. */
export async function reapOrphans(root: string, log: (line: string) => void): Promise<string[]> {
  if (!existsSync(root)) return [];
  const cleaned: string[] = [];
  for (const name of readdirSync(root)) {
    const file = join(root, name, 'children.json');
    let rec: { owner: number; children: ChildRecord[] };
    try {
      rec = JSON.parse(readFileSync(file, 'utf8')) as typeof rec;
    } catch {
      // No record (a run that ended cleanly removes it): nothing to do.
      continue;
    }
    if (alive(rec.owner)) continue;
    for (const c of rec.children) {
      if (!carries(c.pid, c.mark)) continue;
      process.kill(c.pid, 'SIGKILL');
      log(`stopped pid ${c.pid} left by run ${name}`);
    }
    const stopped = await stopInfra({ dir: join(root, name, 'infra'), only: ['kafka', 's3'] });
    if (stopped.length > 0) log(`stopped ${stopped.join(', ')} left by run ${name}`);
    rmSync(file, { force: true });
    cleaned.push(name);
  }
  return cleaned;
}

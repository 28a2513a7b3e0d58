import type { InfraService } from './options';

/**
 * How a service stands:
 * - `started`: this call started it (and `down` will stop it);
 * - `running`: started earlier by `wire infra up` (PID file), answering;
 * - `external`: answering, but not ours (a configured address, or a server someone else runs);
 * - `stopped`: not answering.
 */
export type ServiceState = 'started' | 'running' | 'external' | 'stopped';

export interface ServiceStatus {
  name: InfraService;
  state: ServiceState;
  /** Where clients reach it, e.g. `127.0.0.1:9092` or `http://127.0.0.1:9000`. */
  address: string;
  pid?: number;
  log?: string;
  /** One short line for people: version, why external, what is missing. */
  detail?: string;
}

/** What bringing one service up returns: its status and the environment clients need. */
export interface ServiceUp {
  status: ServiceStatus;
  env: Record<string, string>;
}

/** True for 127.0.0.1 / localhost / ::1 on `port`, i.e. the address `wire infra` manages. */
export function isManagedHostPort(host: string, port: string | number, managedPort: number): boolean {
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host) && Number(port) === managedPort;
}

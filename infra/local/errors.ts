import { WireError } from '@wire/schema';

/**
 * Error codes of `wire infra` (broken or missing infrastructure, so they are thrown). Each message
 * says which service, where and what to do.
 */
export const InfraErrorCodes = {
  WIRE_ERR_INFRA_OPTION: 'a port, folder or partition count given to wire infra is not valid',
  WIRE_ERR_INFRA_JAVA: 'Java 17 or newer is needed for Kafka and S3Proxy and was not found',
  WIRE_ERR_INFRA_MAVEN: 'Maven could not fetch the Kafka or S3Proxy jars',
  WIRE_ERR_INFRA_MISSING_TOOL: 'a Debian program (redis-server, apertium-apy) is not installed',
  WIRE_ERR_INFRA_PORT_TAKEN: 'the port a service should use answers, but not as that service',
  WIRE_ERR_INFRA_START: 'a service did not start or did not answer in time (see its log)',
  WIRE_ERR_INFRA_UNREACHABLE: 'a configured address (REDIS_URL, KAFKA_BROKERS, …) does not answer',
  WIRE_ERR_INFRA_LOCKED: 'another wire infra command held the lock for too long',
} as const;
export type InfraErrorCode = keyof typeof InfraErrorCodes;

/** Raised when local infrastructure cannot be started, reached or stopped. */
export class InfraError extends WireError {
  constructor(code: InfraErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.name = 'InfraError';
  }
}

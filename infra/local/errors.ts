import { defineErrors, type ErrorCodeOf } from '@wire/schema';

/**
 * Error codes of `wire infra` (broken or missing infrastructure, so they are thrown). Each message
 * says which service, where and what to do.
 */
export const InfraErrors = defineErrors('InfraError', {
  OPTION: { code: 'WIRE_ERR_INFRA_OPTION', message: 'a port, folder or partition count given to wire infra is not valid' },
  JAVA: { code: 'WIRE_ERR_INFRA_JAVA', message: 'Java 17 or newer is needed for Kafka and S3Proxy and was not found' },
  MAVEN: { code: 'WIRE_ERR_INFRA_MAVEN', message: 'Maven could not fetch the Kafka or S3Proxy jars' },
  MISSING_TOOL: { code: 'WIRE_ERR_INFRA_MISSING_TOOL', message: 'a Debian program (redis-server, apertium-apy) is not installed' },
  PORT_TAKEN: { code: 'WIRE_ERR_INFRA_PORT_TAKEN', message: 'the port a service should use answers, but not as that service' },
  START: { code: 'WIRE_ERR_INFRA_START', message: 'a service did not start or did not answer in time (see its log)' },
  UNREACHABLE: { code: 'WIRE_ERR_INFRA_UNREACHABLE', message: 'a configured address (REDIS_URL, KAFKA_BROKERS, …) does not answer' },
  LOCKED: { code: 'WIRE_ERR_INFRA_LOCKED', message: 'another wire infra command held the lock for too long' },
});
export type InfraErrorCode = ErrorCodeOf<typeof InfraErrors>;

/** Raised when local infrastructure cannot be started, reached or stopped. */
export const InfraError = InfraErrors.Error;
export type InfraError = InstanceType<typeof InfraError>;

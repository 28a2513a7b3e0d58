/** @wire/infra — local real services (Kafka, S3, Redis, Apertium). */
export {};

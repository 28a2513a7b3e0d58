// Placeholder until the infra issue lands: integration suites will get real services from here.
export default async function setup(): Promise<void> {}

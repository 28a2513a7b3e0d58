/**
 * @wire/netguard — the one network guard for outbound requests to URLs the pipeline was given
 * (image downloads, partner webhooks): every non-public range, IP literals in every spelling,
 * separate allow lists per use, and a guarded `lookup` so the address actually connected is the
 * one judged.
 */
export { NetGuard, type NetGuardOptions, type Resolver } from './guard';
export { parseAllowEntry } from './allow-list';
export { NetGuardError, NetGuardErrorCodes, NetGuardErrors, findNetGuardError, type NetGuardErrorCode } from './errors';

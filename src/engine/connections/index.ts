/** Connection profiles as a service: storage (from store/), step-by-step tests, and settings for other services. */
export { ConnectionsService } from './connectionsService';
export { type ConnectionErrorCode, connectionError } from './errors';
export { probeTcp, probeTls, resolveHost } from './networkProbes';
export { kafkaSettingsOf, registryOptionsOf, sqlSettingsOf } from './resolve';

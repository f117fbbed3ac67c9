export { CheckpointStore } from './checkpointStore';
export { readJsonFile, writeJsonFileDurably } from './jsonFile';
export { defaultDataDir, safeFileName } from './paths';
export { type StoredPipelineFile, WorkspaceStore } from './workspaceStore';
export { type StoreErrorCode, storeError } from './errors';
export { ProfileStore, type ProfileStoreOptions } from './profileStore';
export { DEFAULT_DATABASE_PORTS, parseBootstrapServers, type ProfileProblem, validateProfile } from './profileValidation';
export { type ISecretProtector, SecretVault } from './secretVault';

export { CheckpointStore } from './checkpointStore';
export { readJsonFile, writeJsonFileDurably } from './jsonFile';
export { defaultDataDir, safeFileName } from './paths';

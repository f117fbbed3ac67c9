import packageJson from '../../../package.json';

/** Ferry's version, from package.json, so every host reports the same one. */
export const FERRY_VERSION: string = packageJson.version;

// Types of electron/build.mjs (a plain Node script, so that it runs without tsx).
export { buildElectron } from '../tools/bundle.mjs';

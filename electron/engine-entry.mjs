// What the main process forks as the engine utility process. The engine is the TypeScript
// sources of src/app run through tsx, as `seglens` and `seglens serve` run them (the workspace
// forks its training child the same way), so it is registered before the first .ts import.
import { register } from 'tsx/esm/api';

register();
await import('./engine-main.ts');

// Makes a Node child behave like an Electron utility process of an app whose RunAsNode fuse is off:
// starting the binary itself as Node (child_process.fork, or any spawn of process.execPath) fails,
// as it would there (the Electron binary would start as an app, not as Node). Other programs still
// start (tsx's esbuild, Chromium).
import cp from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const refuse = () => {
  throw new Error('the RunAsNode fuse is off: this process cannot start the app binary as Node');
};
const guard = (real) =>
  function (command, ...rest) {
    if (command === process.execPath) refuse();
    return real.call(this, command, ...rest);
  };
cp.fork = refuse;
cp.spawn = guard(cp.spawn);
cp.execFile = guard(cp.execFile);
syncBuiltinESMExports();

// Copies the shared libraries the built addon needs (oneDNN and its OpenMP runtime) next to it in
// native/build/Release, so that a packaged app (electron-builder.yml ships that folder, unpacked)
// runs where they are not installed. The addon is linked with rpath $ORIGIN (Linux) and
// @loader_path (macOS), so copies beside it are found first. Run before electron-builder
// (`npm run package` does). System libraries (libc, libstdc++, libm) are left to the system.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const release = join(dirname(fileURLToPath(import.meta.url)), 'build', 'Release');
const addon = join(release, 'seglens_native.node');
// oneDNN, its OpenMP runtime, and the OpenCL loader that Debian's oneDNN links (for its GPU engine).
const WANTED = /(dnnl|gomp|omp|iomp|tbb|OpenCL)/;

if (!existsSync(addon)) {
  console.log(`bundle-libs: ${addon} is not built; the package will run on the wasm path.`);
  process.exit(0);
}

/** Absolute paths of the libraries the addon links, from the platform's loader tool. */
function linked() {
  if (process.platform === 'linux') {
    return execFileSync('ldd', [addon], { encoding: 'utf8' })
      .split('\n')
      .map((l) => /=>\s+(\S+)/.exec(l)?.[1])
      .filter(Boolean);
  }
  if (process.platform === 'darwin') {
    return execFileSync('otool', ['-L', addon], { encoding: 'utf8' })
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(' ')[0])
      .filter((p) => p.startsWith('/'));
  }
  // Windows: the DLLs of DNNL_ROOT/bin sit beside the addon after the build.
  const bin = process.env.DNNL_ROOT ? join(process.env.DNNL_ROOT, 'bin') : null;
  return bin && existsSync(bin) ? readdirSync(bin).filter((f) => f.endsWith('.dll')).map((f) => join(bin, f)) : [];
}

const copied = [];
for (const lib of linked()) {
  if (!WANTED.test(basename(lib))) continue;
  copyFileSync(lib, join(release, basename(lib)));
  copied.push(basename(lib));
}
console.log(`bundle-libs: copied ${copied.length ? copied.join(', ') : 'nothing'} into ${release}`);

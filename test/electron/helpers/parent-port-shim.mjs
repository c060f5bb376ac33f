// Gives a plain Node child process (forked with an IPC channel) the `process.parentPort` that an
// Electron utility process has, so that out/node/engine.js runs unchanged in tests where
// Electron is absent. Messages use the child's IPC channel ('advanced' serialization keeps
// Uint8Arrays, as Electron's structured clone does).
Object.defineProperty(process, 'parentPort', {
  enumerable: true,
  value: {
    on(event, listener) {
      if (event === 'message') process.on('message', (data) => listener({ data, ports: [] }));
      return this;
    },
    postMessage(message) {
      process.send?.(message);
    },
  },
});

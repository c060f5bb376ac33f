// The one TensorFlow.js namespace of src/train: every file of src/train imports `tf` (and `tfl`)
// from here rather than from the packages, so that what gets loaded, and in which order, is
// decided in one place.
//
// One tfjs-core instance: tfjs-core keeps its engine, kernel and gradient registries and Tensor
// class per module instance, so a second copy would hold tensors the first does not track.
// @tensorflow/tfjs-node 4.22 re-exports tfjs-core through @tensorflow/tfjs, which pins tfjs-core
// 4.22.0 exactly; our direct dependency ^4.22.0 resolves to the same version, so npm installs one
// copy at node_modules/@tensorflow/tfjs-core (package-lock.json has no nested one) that
// tfjs-backend-cpu, -wasm, -layers and tfjs-node all resolve to. test/train/backend.test.ts checks
// the resolution; selectBackend checks at run time that tfjs-node's Tensor class is ours.
//
// Gradients: Node loads tfjs-core's CommonJS bundle, which registers no gradient functions (the
// browser build gets them from register_all_gradients.js, an ES module that would be a second
// instance here). tfjs-layers' Node bundle registers the full set in the global gradient registry
// when imported; its functions run on the global engine (window/global._tfengine, shared by every
// copy) and recognise our tensors (Tensor[Symbol.hasInstance] is structural). Hence the import.
//
// The cpu backend is registered so that small tensor work (losses, metrics, tests) runs without
// ceremony; training picks its backend with selectBackend (backend/select.ts).
//
// Chained ops (t.reshape()) are not registered by these bundles: use tf.reshape(t).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';

export * as tf from '@tensorflow/tfjs-core';
export * as tfl from '@tensorflow/tfjs-layers';

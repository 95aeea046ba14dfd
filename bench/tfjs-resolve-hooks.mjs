// Node module resolution hooks for TensorFlow.js's ES module build, whose files import
// relative paths without extensions and folders without index files (written for bundlers). The
// bench needs one of those files: @tensorflow/tfjs-core/dist/register_all_gradients.js, which
// registers the gradients (the union package @tensorflow/tfjs does this; tfjs-core's CommonJS
// bundle does not). Registration goes into tfjs's global registry, shared with the CommonJS copy
// the backends use. Registered by bench/tfjs-peer.ts through node:module's register().
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const fromTfjs = context.parentURL?.includes('/node_modules/@tensorflow/');
    if (!fromTfjs || !specifier.startsWith('.')) throw error;
    for (const candidate of [`${specifier}.js`, `${specifier}/index.js`]) {
      try {
        return await nextResolve(candidate, context);
      } catch {
        // try the next spelling
      }
    }
    throw error;
  }
}

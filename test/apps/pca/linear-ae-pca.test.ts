/**
 * The course's claim, checked on small data: a linear autoencoder (linear encoder and decoder,
 * squared error, centred inputs) trained to convergence spans the subspace of the top-K
 * principal components.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareLinearAutoencoder } from '../../../src/apps/pca/pca-run.js';
import { firstRows } from '../../../src/data/dataset.js';
import { fitPca, principalAngles } from '../../../src/linalg/index.js';
import { withBackend } from '../../../src/tensor/index.js';
import { availableBackends } from '../../helpers/backends.js';
import { subspaceData } from '../../helpers/subspace-data.js';

for (const backend of await availableBackends()) {
  test(`${backend.name}: a converged linear autoencoder spans the top-3 principal subspace (largest angle < 2 degrees)`, () => withBackend(backend, async () => {
    // Five directions with standard deviations 3, 2, 1.5, 0.5, 0.3 in R^16, plus noise of 0.05:
    // the top three have variances 9, 4, 2.25, well above the fourth's 0.25, so PCA's top-3
    // subspace is well defined and gradient descent is not slowed by a near-tie at the boundary.
    const { data } = subspaceData(576, 16, [3, 2, 1.5, 0.5, 0.3], 0.05, 1);
    const train = firstRows(data, 512);
    const test = { ...data, x: data.x.subarray(512 * 16), n: 64 };
    const pca = fitPca(train, { components: 3 });
    const result = await compareLinearAutoencoder(train, test, pca, { epochs: 50, batchSize: 32, lr: 1e-2, seed: 1 });
    // Measured: 0.3 degrees and mean cos² 0.99999; minibatch noise keeps it off exactly 0.
    assert.ok(result.largestAngleDegrees < 2, `largest angle ${result.largestAngleDegrees}°`);
    assert.ok(result.meanCos2 > 0.999, `mean cos² ${result.meanCos2}`);
    // PCA's reconstruction is the best any rank-3 linear map does on the training data; on test
    // data the two are close.
    const pcaSse = pca.reconstructionError(test).sse;
    assert.ok(Math.abs(result.sse - pcaSse) < 0.05 * pcaSse, `autoencoder ${result.sse} vs PCA ${pcaSse}`);
  }));
}

test('an untrained (1 epoch, tiny step) linear autoencoder is far from the subspace: the measure discriminates', async () => {
  const { data, directions } = subspaceData(256, 16, [3, 2, 1.5, 0.5, 0.3], 0.05, 2);
  const pca = fitPca(data, { components: 3 });
  const result = await compareLinearAutoencoder(data, data, pca, { epochs: 1, batchSize: 256, lr: 1e-4, seed: 1 });
  assert.ok(result.largestAngleDegrees > 30, `largest angle ${result.largestAngleDegrees}°`);
  // And PCA itself found the planted directions.
  const planted = principalAngles({ basis: directions.subarray(0, 3 * 16), dim: 16, count: 3, layout: 'rows' },
    { basis: pca.components, dim: 16, count: 3, layout: 'rows' });
  assert.ok(planted.largestAngleDegrees < 3, `PCA vs planted ${planted.largestAngleDegrees}°`);
});

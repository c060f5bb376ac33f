#!/usr/bin/env python3
"""Reference for `npm run bench`: the same counting `seglens eval` does, in numpy + PIL.

Reads each ground-truth / prediction mask pair, maps stored values to class ids with a lookup
table, and builds the K x K confusion histogram (from which Dice, IoU etc. follow). Prints JSON:
seconds for the whole set, best of N repeats. Usage: eval_numpy.py TABLE.json GT_DIR PRED_DIR REPEATS
(pairs by sorted order).
"""
import json
import os
import sys
import time

import numpy as np
from PIL import Image


def main():
    table_file, gt_dir, pred_dir, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    table = json.load(open(table_file))
    k = len(table["classes"])
    lut = np.full(65536, 255, dtype=np.uint8)
    for cid, c in enumerate(table["classes"]):
        for v in c["values"]:
            lut[v] = cid
    gts = sorted(os.path.join(gt_dir, f) for f in os.listdir(gt_dir))
    preds = sorted(os.path.join(pred_dir, f) for f in os.listdir(pred_dir))
    best = None
    total = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        total = np.zeros((k, k), dtype=np.int64)
        for g, p in zip(gts, preds):
            gt = lut[np.asarray(Image.open(g))]
            pr = lut[np.asarray(Image.open(p))]
            keep = gt != 255
            total += np.bincount(gt[keep].astype(np.int64) * k + pr[keep], minlength=k * k).reshape(k, k)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print(json.dumps({"seconds": best, "images": len(gts), "pixels": int(total.sum()), "numpy": np.__version__}))


if __name__ == "__main__":
    main()

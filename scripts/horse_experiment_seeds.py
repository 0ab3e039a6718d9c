"""Chapter 1's experiment (convviz/lesson_experiments.py) with several seeds: the test accuracy
of the fully connected classifier and of the convolution at the training shifts and away from
them, and the extremes the tests' thresholds rest on.  One torch thread, as the tests run.

    .venv/bin/python scripts/horse_experiment_seeds.py [SEEDS]
"""
from __future__ import annotations

import sys
import time

import numpy as np
import torch

from convviz.lesson_experiments import HorseExperiment


def main(seeds: int = 10) -> None:
    torch.set_num_threads(1)
    rows = []
    for seed in range(seeds):
        t = time.perf_counter()
        p = HorseExperiment(seed).run()
        far = np.abs(p.shifts) > max(p.train_shifts) + 4
        rows.append((p.accuracy_where("fc", True), p.accuracy_where("fc", False), float(p.fc_accuracy[far].max()),
                     p.accuracy_where("conv", True), p.accuracy_where("conv", False), float(p.conv_accuracy.min())))
        print(f"seed {seed}: {time.perf_counter() - t:.2f} s  fc at training shifts {rows[-1][0]:.3f}, elsewhere "
              f"{rows[-1][1]:.3f}, best far away {rows[-1][2]:.3f} | conv at training shifts {rows[-1][3]:.3f}, "
              f"elsewhere {rows[-1][4]:.3f}, worst shift {rows[-1][5]:.3f}")
    a = np.array(rows)
    print(f"over {seeds} seeds: fc at training shifts min {a[:, 0].min():.3f}; fc elsewhere max {a[:, 1].max():.3f}; "
          f"fc best far shift max {a[:, 2].max():.3f}; conv elsewhere min {a[:, 4].min():.3f}; "
          f"conv worst shift min {a[:, 5].min():.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)

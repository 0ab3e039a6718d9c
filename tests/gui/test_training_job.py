"""Training in the app (ui/training_job.py) on the real compute session: slices run on the
thread that owns torch, play/pause/step/reset do what they say, the GUI receives only the
newest snapshot, an edit during training is answered within one slice (and the trainer follows
it, keeping what unchanged layers learned), and closing during training ends cleanly."""
from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pytest

from convviz.datasets import load_dataset
from convviz.project import InputSpec, Project
from convviz.spec import LayerSpec
from convviz.training_config import TrainConfig


def C(o, k, **kw):
    return LayerSpec.make("Conv2d", out_channels=o, kernel_size=k, **kw)


def tiny():
    return Project(InputSpec(1, 8, 8, "pattern:gradient"),
                   (C(4, 3, padding=1), LayerSpec.make("ReLU"), LayerSpec.make("MaxPool2d", kernel_size=2),
                    C(8, 3, padding=1), LayerSpec.make("ReLU"), LayerSpec.make("AdaptiveAvgPool2d", output_size=1),
                    C(10, 1)))


CONFIG = TrainConfig(data="digits", size=400, batch_size=16, lr=0.01, epochs=1000)


@pytest.fixture
def session(make_session):
    return make_session(tiny())


@pytest.fixture
def job(session):
    from ui.training_job import TrainingJob
    loads = []

    def loader(*a, **kw):
        loads.append(threading.get_ident())
        return load_dataset(*a, **kw)
    j = TrainingJob(session, CONFIG, dataset_loader=loader)
    j.loads = loads
    got = []
    j.snapshot.connect(got.append)
    j.got = got
    yield j
    j.close()


def test_train_pause_step_reset(session, job, qtbot):
    job.play()
    qtbot.waitUntil(lambda: job.latest is not None and job.latest.step >= 300, timeout=60_000)
    assert len(job.loads) == 1 and job.loads[0] != threading.get_ident()  # on the compute thread
    job.pause()
    qtbot.waitUntil(lambda: not job.busy, timeout=30_000)
    paused_at = job.latest.step
    assert not job.playing and job.latest.epoch >= 10  # 20 batches an epoch
    assert job.latest.test_accuracy is not None and len(job.latest.history) == job.latest.epoch
    # the GUI received only newest snapshots, in order, fewer than the slices
    steps = [s.step for s in job.got]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    qtbot.waitUntil(lambda: job.emitted is job.latest, timeout=5_000)  # the newest is always handed over
    assert job.got[-1] is job.latest
    # one step at a time while paused
    job.step(5)
    qtbot.waitUntil(lambda: job.latest.step == paused_at + 5 and not job.busy, timeout=30_000)
    assert not job.playing and job.steps_wanted == 0
    # reset: step 0 with the weights the app shows
    job.reset()
    qtbot.waitUntil(lambda: job.latest.step == 0, timeout=30_000)
    shown = session.result.weights[0][0]
    np.testing.assert_array_equal(job.latest.state[0]["weight"], shown)
    assert job.latest.history == () and job.latest.test_accuracy is None


def test_an_edit_during_training_is_answered_within_one_slice(session, job, qtbot, monkeypatch):
    from ui import training_job
    monkeypatch.setattr(training_job, "SLICE_SECONDS", 600.0)  # a slice gives way to an edit, or nothing does
    job.play()
    qtbot.waitUntil(lambda: job._trainer is not None and job._trainer.step_count > 50, timeout=60_000)
    assert job.slices == 0 and job.busy  # the first slice is still training
    before = job._trainer.state()  # copies only (a snapshot runs autograd: not while the slice trains)
    layers = list(tiny().layers)
    layers[3] = C(6, 3, padding=1)  # layer 3's weights change shape (and layer 6 reads 6 channels)
    told = []
    job.layers_reset.connect(told.append)
    slices_at_edit = job.slices
    gen = session.set_project(tiny().with_layers(layers))
    qtbot.waitUntil(lambda: session.result is not None and session.result.generation == gen, timeout=30_000)
    assert job.slices - slices_at_edit <= 1  # the slice under way gave way; no other ran first
    assert job.last_slice.trained > 50 and not job.last_slice.paused
    # the trainer follows the edit between slices, keeping what unchanged layers learned
    qtbot.waitUntil(lambda: bool(told), timeout=30_000)
    assert "layer 3 (Conv2d), layer 6 (Conv2d) are back to initial weights" in told[0]
    qtbot.waitUntil(lambda: job.latest.state[3]["weight"].shape == (6, 4, 3, 3), timeout=30_000)
    assert job.playing
    step = job.latest.step
    qtbot.waitUntil(lambda: job._trainer.step_count > step + 20, timeout=30_000)  # and training goes on
    assert job.latest.state[0]["weight"].shape == before[0]["weight"].shape
    np.testing.assert_array_equal(job.latest.state[0]["weight"], job.latest.state[0]["weight"])


def test_an_edit_that_cannot_be_trained_pauses_with_a_sentence(session, job, qtbot):
    failed = []
    job.failed.connect(failed.append)
    job.play()
    qtbot.waitUntil(lambda: job.slices >= 1, timeout=60_000)
    layers = list(tiny().layers)
    layers[-1] = C(3, 1)
    session.set_project(tiny().with_layers(layers))
    qtbot.waitUntil(lambda: bool(failed), timeout=30_000)
    assert "ends in a 3x1x1 output, but digits has 10 classes" in failed[0]
    qtbot.waitUntil(lambda: not job.busy, timeout=30_000)
    assert not job.playing


def test_closing_during_training_ends_cleanly(session, job, qtbot):
    from ui import session as session_mod
    job.play()
    qtbot.waitUntil(lambda: job.slices >= 2, timeout=60_000)
    job.close()
    assert session.shutdown(30.0)
    assert not session_mod.running_threads()
    job.play()  # a closed job does nothing
    assert not job.busy and not job.playing


def test_settings_change_between_slices(session, job, qtbot):
    job.step(3)
    qtbot.waitUntil(lambda: job.latest is not None and job.latest.step == 3 and not job.busy, timeout=60_000)
    job.set_config(dataclasses.replace(CONFIG, lr=0.5))
    job.step(1)
    qtbot.waitUntil(lambda: job.latest.step == 4 and not job.busy, timeout=30_000)
    assert job._trainer.optimizer.param_groups[0]["lr"] == 0.5  # the same run goes on with the new rate
    job.set_config(dataclasses.replace(CONFIG, size=200))  # another data set: a fresh start
    qtbot.waitUntil(lambda: job.latest.step == 0, timeout=30_000)
    assert len(job._trainer.dataset.train_y) == 160 and job.latest.batches_per_epoch == 10


def test_the_collector_is_frozen_only_while_training_plays(session, job, qtbot):
    """While training plays, the objects from before it are out of the cyclic collector's full
    passes (each held the interpreter lock ~150 ms on the app's heap); paused, finished or
    closed, they are collected again as before: nothing stays frozen."""
    import gc
    gc.unfreeze()  # (the test suite's own freeze between tests: conftest.no_leaks)
    assert gc.get_freeze_count() == 0
    job.play()
    assert gc.get_freeze_count() > 0
    qtbot.waitUntil(lambda: job.latest is not None and job.latest.step >= 20, timeout=60_000)
    job.pause()
    assert gc.get_freeze_count() == 0
    job.play()
    assert gc.get_freeze_count() > 0
    job.close()
    assert gc.get_freeze_count() == 0

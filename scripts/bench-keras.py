#!/usr/bin/env python3
"""Keras reference timings for `fmnist bench`: the same models, batch, steps and threads.

Reads a JSON job on stdin (written by src/tf/bench-compare.ts):
  {"threads": 1, "batchSize": 64, "warmupBatches": 3, "trainSamples": 2048,
   "inferSamples": 10000, "inferBatchSize": 1000, "trainSeconds": 7.5, "inferSeconds": 2.5,
   "models": {"cnn3": [{"type": "conv2d", "filters": 32, ...}, ...], ...}}
and prints one JSON object with samples/s per model. The layer lists come from the TypeScript
models themselves (buildModel), so both sides time one architecture. Needs a Python with
tensorflow-cpu (scripts/bench-venv.sh makes one); it is never imported by the project itself.
"""
import json
import os
import resource
import sys
import time

job = json.load(sys.stdin)
threads = int(job["threads"])
# Before TensorFlow loads: its thread pools, and no start-up notices.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["TF_NUM_INTRAOP_THREADS"] = str(threads)
os.environ["TF_NUM_INTEROP_THREADS"] = str(threads)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(threads)
tf.config.threading.set_inter_op_parallelism_threads(threads)


def build(layers):
    model = keras.Sequential([keras.Input(shape=(28, 28, 1))])
    for spec in layers:
        kind = spec["type"]
        if kind == "conv2d":
            model.add(keras.layers.Conv2D(spec["filters"], spec["kernelSize"], strides=spec["strides"],
                                          padding=spec["padding"], activation=spec["activation"]))
        elif kind == "maxPooling2d":
            model.add(keras.layers.MaxPooling2D(spec["poolSize"], strides=spec["strides"], padding=spec["padding"]))
        elif kind == "flatten":
            model.add(keras.layers.Flatten())
        elif kind == "dense":
            model.add(keras.layers.Dense(spec["units"], activation=spec["activation"]))
        elif kind == "dropout":
            model.add(keras.layers.Dropout(spec["rate"]))
        else:
            sys.exit(f"bench-keras: unknown layer type {kind!r}")
    # Keras' defaults, as the TypeScript training loop uses them (Adam 1e-3, clipped sparse CE).
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    return model


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed_until(min_calls, min_seconds, f):
    """Calls f(0), f(1), ... at least min_calls times and until min_seconds of wall time have passed."""
    count, c0, t0 = 0, cpu_seconds(), time.perf_counter()
    while True:
        f(count)
        count += 1
        wall = time.perf_counter() - t0
        if count >= min_calls and wall >= min_seconds:
            return count, wall, cpu_seconds() - c0


def onednn_enabled():
    """Whether TensorFlow runs its oneDNN kernels here (its own answer: CPU and TF_ENABLE_ONEDNN_OPTS)."""
    try:
        from tensorflow.python.util import _pywrap_util_port
        return bool(_pywrap_util_port.IsMklEnabled())
    except Exception:  # noqa: BLE001 - a private API: unknown rather than wrong
        return None


rng = np.random.default_rng(12345)
batch = int(job["batchSize"])
train_x = rng.random((batch * 8, 28, 28, 1), dtype=np.float32)
train_y = rng.integers(0, 10, batch * 8).astype(np.int32)
infer_n = int(job["inferBatchSize"])
infer_x = rng.random((infer_n, 28, 28, 1), dtype=np.float32)

results = {}
for name, layers in job["models"].items():
    model = build(layers)
    batches = len(train_y) // batch

    def step(i):
        b = i % batches
        model.train_on_batch(train_x[b * batch:(b + 1) * batch], train_y[b * batch:(b + 1) * batch])

    for i in range(int(job["warmupBatches"])):
        step(i)
    steps, train_s, train_cpu = timed_until(-(-int(job["trainSamples"]) // batch), float(job.get("trainSeconds", 0)),
                                            lambda i: step(int(job["warmupBatches"]) + i))
    model.predict_on_batch(infer_x)  # warm-up
    infer_batches, infer_s, infer_cpu = timed_until(-(-int(job["inferSamples"]) // infer_n), float(job.get("inferSeconds", 0)),
                                                    lambda i: model.predict_on_batch(infer_x))
    results[name] = {
        "trainSamplesPerSec": round(steps * batch / train_s),
        "inferSamplesPerSec": round(infer_batches * infer_n / infer_s),
        "trainSamplesPerCpuSec": round(steps * batch / train_cpu),
        "inferSamplesPerCpuSec": round(infer_batches * infer_n / infer_cpu),
        "trainSamples": steps * batch,
        "trainSeconds": round(train_s, 3),
        "inferSamples": infer_batches * infer_n,
        "inferSeconds": round(infer_s, 3),
        "params": int(model.count_params()),
    }
    print(f"keras {name}: train {results[name]['trainSamplesPerSec']} samples/s, "
          f"inference {results[name]['inferSamplesPerSec']} samples/s", file=sys.stderr)

print(json.dumps({
    "tensorflow": tf.__version__,
    "keras": keras.__version__,
    "python": sys.version.split()[0],
    "threads": threads,
    # What model.compile() chose: "auto" lets Keras use XLA where it can (its default).
    "jitCompile": str(getattr(model, "jit_compile", "auto")),
    "oneDnn": onednn_enabled(),
    "models": results,
}))

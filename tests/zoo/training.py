"""The bug zoo of katas 08–12: optimizers, batching, dropout, checkpoints, gradient checks."""

from __future__ import annotations

from tests.zoo.bug import Bug

OPTIM = "nn/optim.py"
LOADER = "nn/dataloader.py"
DROPOUT = "nn/regularization.py"
CHECKPOINT = "nn/serialization.py"
GRADCHECK = "nn/gradient_check.py"
MLP = "nn/mlp.py"

_ATOMIC_WRITE = """\
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
"""

BUGS: tuple[Bug, ...] = (
    # ------------------------------------------------------------------ kata 08
    Bug(
        "sgd-adds-the-gradient",
        8,
        OPTIM,
        "param.data -= self.lr * self.gradient(i)",
        "param.data += self.lr * self.gradient(i)",
        "SGD climbs the loss: w + lr·g",
    ),
    Bug(
        "momentum-as-moving-average",
        8,
        OPTIM,
        "velocity[i] = self.beta * velocity[i] + self.gradient(i)",
        "velocity[i] = self.beta * velocity[i] + (1 - self.beta) * self.gradient(i)",
        "v = β·v + (1 − β)·g: Adam's average, not the contract's momentum",
    ),
    Bug(
        "adam-first-moment-as-a-momentum-sum",
        8,
        OPTIM,
        "m[i] = beta1 * m[i] + (1.0 - beta1) * g",
        "m[i] = beta1 * m[i] + g",
        "m = β₁·m + g: momentum's sum in place of Adam's average",
    ),
    Bug(
        "momentum-state-not-kept",
        8,
        OPTIM,
        'velocity = self.state["velocity"]',
        "velocity = [0.0] * len(self.params)",
        "the velocity starts from 0 at every step: plain SGD",
    ),
    Bug(
        "adam-moments-reset-every-step",
        8,
        OPTIM,
        'm, s = self.state["m"], self.state["s"]',
        "m, s = [0.0] * len(self.params), [0.0] * len(self.params)",
        "m and s start from 0 at every step: each step forgets the averages",
    ),
    Bug(
        "adam-without-bias-correction",
        8,
        OPTIM,
        "            m_hat = m[i] / (1.0 - beta1**t)\n            s_hat = s[i] / (1.0 - beta2**t)\n",
        "            m_hat = m[i]\n            s_hat = s[i]\n",
        "early Adam steps are about 3× too large",
    ),
    Bug(
        "adam-eps-inside-the-sqrt",
        8,
        OPTIM,
        "(math.sqrt(s_hat) + self.eps)",
        "math.sqrt(s_hat + self.eps)",
        "eps added under the square root",
    ),
    Bug(
        "adam-eps-as-a-floor",
        8,
        OPTIM,
        "(math.sqrt(s_hat) + self.eps)",
        "max(math.sqrt(s_hat), self.eps)",
        "eps used as a floor for √ŝ instead of added to it",
    ),
    Bug(
        "adam-step-count-stuck",
        8,
        OPTIM,
        "        self.steps += 1\n        t = self.steps\n",
        "        t = self.steps + 1\n",
        "t stays 1: every step is bias-corrected as if it were the first",
    ),
    Bug(
        "adam-ignores-weight-decay",
        8,
        OPTIM,
        "            g = self.gradient(i)\n",
        "            g = param.grad\n",
        "Adam reads param.grad directly and forgets λ·w",
    ),
    Bug(
        "sgd-ignores-weight-decay",
        8,
        OPTIM,
        "param.data -= self.lr * self.gradient(i)",
        "param.data -= self.lr * param.grad",
        "SGD reads param.grad directly and forgets λ·w",
    ),
    Bug(
        "decay-on-biases",
        8,
        OPTIM,
        'decays = self.weight_decay > 0.0 and (self.names is None or not self.names[i].endswith("bias"))',
        "decays = self.weight_decay > 0.0",
        "weight decay also shrinks the biases",
    ),
    Bug(
        "no-decay-without-names",
        8,
        OPTIM,
        "(self.names is None or not self.names[i].endswith",
        "(self.names is not None and not self.names[i].endswith",
        "weight decay silently does nothing when no names were given",
    ),
    Bug(
        "zero-grad-zeroes-the-data",
        8,
        OPTIM,
        "        for param in self.params:\n            param.grad = 0.0\n",
        "        for param in self.params:\n            param.data = 0.0\n",
        "zero_grad() wipes the weights instead of the gradients",
    ),
    Bug(
        "lr-zero-accepted",
        8,
        OPTIM,
        "    if lr <= 0.0:",
        "    if lr < 0.0:",
        "lr = 0 is accepted: training that never moves",
    ),
    Bug(
        "beta-one-accepted",
        8,
        OPTIM,
        "if not 0.0 <= beta < 1.0:",
        "if not 0.0 <= beta <= 1.0:",
        "β = 1 is accepted: a velocity that never forgets, an Adam division by zero",
    ),
    Bug(
        "short-names-list-accepted",
        8,
        OPTIM,
        "if len(names) != len(self.params):",
        "if len(names) > len(self.params):",
        "attach_param_names accepts too few names",
    ),
    # ------------------------------------------------------------------ kata 09
    Bug(
        "loader-always-drops-the-last-batch",
        9,
        LOADER,
        "for start in range(0, len(self) * self.batch_size, self.batch_size):",
        "for start in range(0, len(self.dataset) // self.batch_size * self.batch_size, self.batch_size):",
        "the partial batch is dropped although drop_last is False",
    ),
    Bug(
        "len-counts-only-full-batches",
        9,
        LOADER,
        "return n // self.batch_size if self.drop_last else -(-n // self.batch_size)",
        "return n // self.batch_size",
        "len() and iteration drop the partial batch by default",
    ),
    Bug(
        "same-shuffle-every-epoch",
        9,
        LOADER,
        "            self.rng.shuffle(order)\n",
        "            random.Random(len(order)).shuffle(order)\n",
        "a fixed permutation, repeated every epoch",
    ),
    Bug(
        "shuffle-ignores-the-rng",
        9,
        LOADER,
        "            self.rng.shuffle(order)\n",
        "            random.shuffle(order)\n",
        "shuffles with the global generator: the same seed gives other orders",
    ),
    Bug(
        "labels-not-shuffled-with-inputs",
        9,
        LOADER,
        "yield [x for x, _ in samples], [y for _, y in samples]",
        "yield [x for x, _ in samples], [self.dataset[i][1] for i in range(start, start + len(samples))]",
        "inputs are shuffled, their targets are not",
    ),
    Bug(
        "batch-size-zero-accepted",
        9,
        LOADER,
        "if batch_size < 1:",
        "if batch_size < 0:",
        "batch_size = 0 is accepted",
    ),
    Bug(
        "dataset-lengths-unchecked",
        9,
        LOADER,
        "if len(X) != len(y):",
        "if len(X) < len(y):",
        "more inputs than targets is accepted",
    ),
    # ------------------------------------------------------------------ kata 10
    Bug(
        "dropout-scales-by-one-over-p",
        10,
        DROPOUT,
        "scale = 1.0 / (1.0 - self.p)",
        "scale = 1.0 / self.p",
        "survivors scaled by 1/p: right only at p = 0.5",
    ),
    Bug(
        "dropout-does-not-rescale",
        10,
        DROPOUT,
        "scale = 1.0 / (1.0 - self.p)",
        "scale = 1.0",
        "the expected output shrinks to (1 − p)·x in training",
    ),
    Bug(
        "dropout-in-eval",
        10,
        DROPOUT,
        "if not self.training or self.p == 0.0:",
        "if self.p == 0.0:",
        "eval() still drops",
    ),
    Bug(
        "dropout-rescales-in-eval",
        10,
        DROPOUT,
        "        if not self.training or self.p == 0.0:\n            return inputs\n",
        "        if not self.training:\n"
        "            return [v * (1.0 - self.p) for v in inputs]\n"
        "        if self.p == 0.0:\n"
        "            return inputs\n",
        "eval multiplies by 1 − p, as non-inverted dropout does, on top of the training-time rescaling",
    ),
    Bug(
        "dropout-keeps-with-probability-p",
        10,
        DROPOUT,
        "0.0 if self.rng.random() < self.p else scale",
        "scale if self.rng.random() < self.p else 0.0",
        "p and 1 − p swapped: p is the keep probability",
    ),
    Bug(
        "dropout-p-as-keep-probability-throughout",
        10,
        DROPOUT,
        "        scale = 1.0 / (1.0 - self.p)\n"
        "        return [v * (0.0 if self.rng.random() < self.p else scale) for v in inputs]\n",
        "        scale = 1.0 / self.p\n"
        "        return [v * (scale if self.rng.random() < self.p else 0.0) for v in inputs]\n",
        "p read as the keep probability throughout: kept with probability p, scaled by 1/p; only the rate is swapped",
    ),
    Bug(
        "dropout-one-coin-for-the-layer",
        10,
        DROPOUT,
        "        return [v * (0.0 if self.rng.random() < self.p else scale) for v in inputs]\n",
        "        keep = 0.0 if self.rng.random() < self.p else scale\n        return [v * keep for v in inputs]\n",
        "one draw per call: the whole layer is dropped or kept",
    ),
    Bug(
        "dropout-mask-reused-across-calls",
        10,
        DROPOUT,
        "        return [v * (0.0 if self.rng.random() < self.p else scale) for v in inputs]\n",
        '        if getattr(self, "mask", None) is None or len(self.mask) != len(inputs):\n'
        "            self.mask = [0.0 if self.rng.random() < self.p else scale for _ in inputs]\n"
        "        return [v * keep for v, keep in zip(inputs, self.mask)]\n",
        "one mask drawn on the first call and reused: the same inputs are dropped on every call",
    ),
    Bug(
        "dropout-ignores-the-rng",
        10,
        DROPOUT,
        "0.0 if self.rng.random() < self.p else scale",
        "0.0 if random.random() < self.p else scale",
        "draws from the global generator: a seed does not fix the mask",
    ),
    Bug(
        "dropout-p-one-accepted",
        10,
        DROPOUT,
        "if not (0.0 <= p < 1.0):",
        "if not (0.0 <= p <= 1.0):",
        "p = 1 is accepted (and divides by zero later)",
    ),
    Bug(
        "mlp-children-without-the-dropouts",
        10,
        MLP,
        '        return named + [(f"dropouts.{i}", drop) for i, drop in enumerate(self.dropouts)]\n',
        "        return named\n",
        "MLP.named_children lists the layers only: eval() never reaches the Dropouts, which keep dropping",
    ),
    # ------------------------------------------------------------------ kata 11
    Bug(
        "checkpoint-written-in-place",
        11,
        CHECKPOINT,
        _ATOMIC_WRITE,
        '    target.write_text(text, encoding="utf-8")\n',
        "not atomic: a crash mid-write destroys the previous checkpoint",
    ),
    Bug(
        "checkpoint-streamed-into-the-target",
        11,
        CHECKPOINT,
        "    text = json.dumps(checkpoint, allow_nan=False, indent=1)\n",
        '    with open(path, "w", encoding="utf-8") as file:\n'
        "        json.dump(checkpoint, file, allow_nan=False)\n"
        "    text = json.dumps(checkpoint, allow_nan=False, indent=1)\n",
        "json.dump straight into the target: bad metadata leaves half a file",
    ),
    Bug(
        "weights-rounded-on-save",
        11,
        CHECKPOINT,
        '"state_dict": model.state_dict(),',
        '"state_dict": {name: float(f"{value:.12g}") for name, value in model.state_dict().items()},',
        "12 significant digits: close, but not bit for bit",
    ),
    Bug(
        "optimizer-state-not-saved",
        11,
        CHECKPOINT,
        '"optimizer": None if optimizer is None else optimizer.state_dict(),',
        '"optimizer": None,',
        "the optimizer is never written: training cannot resume exactly",
    ),
    Bug(
        "optimizer-state-never-restored",
        11,
        CHECKPOINT,
        '            optimizer.load_state_dict(checkpoint["optimizer"])\n',
        "            pass\n",
        "the optimizer's state is saved but never read back: momentum and Adam resume from zero",
    ),
    Bug(
        "metadata-none-saved-as-null",
        11,
        CHECKPOINT,
        '"metadata": {} if metadata is None else metadata,',
        '"metadata": metadata,',
        "load returns None instead of {} for a checkpoint saved without metadata",
    ),
    Bug(
        "empty-metadata-loaded-as-none",
        11,
        CHECKPOINT,
        '    return checkpoint["metadata"]\n',
        '    return checkpoint["metadata"] or None\n',
        "load_checkpoint returns None for a checkpoint whose metadata is empty",
    ),
    Bug(
        "load-before-validating",
        11,
        CHECKPOINT,
        "    checkpoint = _read(path)\n",
        '    checkpoint = _read(path)\n    model.load_state_dict(checkpoint["state_dict"], strict=False)\n',
        "the weights are copied in before the architecture is checked",
    ),
    Bug(
        "architecture-check-ignores-activations",
        11,
        CHECKPOINT,
        'if checkpoint["architecture"] != expected:',
        'if checkpoint["architecture"].get("layer_sizes") != expected.get("layer_sizes"):',
        "only the layer sizes are compared: another output activation loads silently",
    ),
    Bug(
        "version-not-checked",
        11,
        CHECKPOINT,
        'if checkpoint.get("version") != VERSION:',
        'if "version" not in checkpoint:',
        "a version 2 file is read as if it were version 1",
    ),
    Bug(
        "format-not-checked",
        11,
        CHECKPOINT,
        'checkpoint.get("format") != FORMAT',
        '"format" not in checkpoint',
        "any library's checkpoint is accepted",
    ),
    Bug(
        "corrupt-json-escapes",
        11,
        CHECKPOINT,
        "except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors",
        "except UnicodeDecodeError as exc:",
        "a truncated file raises JSONDecodeError, not CheckpointError",
    ),
    Bug(
        "missing-file-escapes",
        11,
        CHECKPOINT,
        '    except OSError as exc:\n        raise CheckpointError(f"cannot read',
        '    except PermissionError as exc:\n        raise CheckpointError(f"cannot read',
        "a missing file raises FileNotFoundError, not CheckpointError",
    ),
    Bug(
        "missing-optimizer-state-skipped",
        11,
        CHECKPOINT,
        '        raise CheckpointError(f"{os.fspath(path)!r} holds no optimizer state to restore")\n',
        "        optimizer = None\n",
        "an optimizer asked for but absent from the file is silently left as it is",
    ),
    Bug(
        "no-rollback-when-the-optimizer-refuses",
        11,
        CHECKPOINT,
        "            model.load_state_dict(before)\n",
        "",
        "the weights are already loaded when the optimizer state turns out wrong",
    ),
    Bug(
        "architecture-mismatch-only-printed",
        11,
        CHECKPOINT,
        'raise CheckpointError(f"architecture mismatch:',
        'print(f"warning: architecture mismatch:',
        "an architecture mismatch is printed as a warning and the load goes on",
    ),
    # ------------------------------------------------------------------ kata 12
    Bug(
        "forward-difference",
        12,
        GRADCHECK,
        "        param.data = x - eps\n        minus = _scalar(f())\n    finally:\n        param.data = x\n"
        "    return (plus - minus) / (2.0 * eps)\n",
        "        param.data = x\n        minus = _scalar(f())\n    finally:\n        param.data = x\n"
        "    return (plus - minus) / eps\n",
        "one-sided difference: error O(eps) instead of O(eps²)",
    ),
    Bug(
        "backward-difference",
        12,
        GRADCHECK,
        "        param.data = x + eps\n"
        "        plus = _scalar(f())\n"
        "        param.data = x - eps\n"
        "        minus = _scalar(f())\n"
        "    finally:\n"
        "        param.data = x\n"
        "    return (plus - minus) / (2.0 * eps)\n",
        "        param.data = x\n"
        "        plus = _scalar(f())\n"
        "        param.data = x - eps\n"
        "        minus = _scalar(f())\n"
        "    finally:\n"
        "        param.data = x\n"
        "    return (plus - minus) / eps\n",
        "one-sided difference to the left, (f(x) − f(x − eps))/eps: error O(eps) instead of O(eps²)",
    ),
    Bug(
        "central-difference-not-halved",
        12,
        GRADCHECK,
        "return (plus - minus) / (2.0 * eps)",
        "return (plus - minus) / eps",
        "divides by eps instead of 2·eps: twice the derivative",
    ),
    Bug(
        "central-difference-half-steps",
        12,
        GRADCHECK,
        "        param.data = x + eps\n        plus = _scalar(f())\n        param.data = x - eps\n",
        "        param.data = x + eps / 2\n        plus = _scalar(f())\n        param.data = x - eps / 2\n",
        "the points are eps apart but the difference is divided by 2·eps: half the derivative",
    ),
    Bug(
        "restore-by-arithmetic",
        12,
        GRADCHECK,
        "    finally:\n        param.data = x\n",
        "    finally:\n        param.data += eps\n",
        "x − eps + eps is not always x: the parameter drifts",
    ),
    Bug(
        "data-not-restored",
        12,
        GRADCHECK,
        "    finally:\n        param.data = x\n",
        "    finally:\n        pass\n",
        "the parameter is left at x − eps",
    ),
    Bug(
        "check-gradients-never-raises",
        12,
        GRADCHECK,
        "        raise GradientCheckError(\n",
        "        print(\n",
        "a wrong gradient is printed, not raised",
    ),
    Bug(
        "grads-not-zeroed-first",
        12,
        GRADCHECK,
        "    for _, param in named:\n        param.grad = 0.0\n",
        "",
        "stale gradients from an earlier backward() are added in",
    ),
    Bug(
        "first-error-not-largest",
        12,
        GRADCHECK,
        "        if error > worst_error:\n",
        "        if worst_error < 0.0:\n",
        "reports the first parameter, not the worst",
    ),
    Bug(
        "check-returns-the-last-error",
        12,
        GRADCHECK,
        "    return worst_error\n",
        "    return error\n",
        "check_gradients returns the last parameter's error, not the largest",
    ),
    Bug(
        "error-names-nobody",
        12,
        GRADCHECK,
        'f"gradient of {name} is wrong:',
        'f"a gradient is wrong:',
        "the error does not say which parameter is wrong",
    ),
    Bug(
        "params-named-by-position-only",
        12,
        GRADCHECK,
        'named.append((item.label or f"params[{i}]", item))',
        'named.append((f"params[{i}]", item))',
        "a parameter with a label is still named params[i]: the error does not say which Value it is",
    ),
)

# Strategies that break the contract in each way the host must turn into a failed entry.
import numpy as np

import poolbench

MAX_FWD = lambda p: None if p.op == "max" and p.direction == "fwd" and not p.indices else "max fwd"


@poolbench.strategy("fault_raises", "raises an exception", supports=MAX_FWD)
def fault_raises(x, p):
    return helper_that_fails(x)


def helper_that_fails(x):
    raise ValueError("this strategy is broken on purpose")


@poolbench.strategy("fault_shape", "returns the wrong shape", supports=MAX_FWD)
def fault_shape(x, p):
    return np.zeros((p.n, p.c, p.out_h + 1, p.out_w), p.dtype)


@poolbench.strategy("fault_dtype", "returns the wrong dtype", supports=MAX_FWD)
def fault_dtype(x, p):
    return np.zeros(p.output_shape, np.float16)


@poolbench.strategy("fault_none", "forgets to return", supports=MAX_FWD)
def fault_none(x, p):
    x.max()


@poolbench.strategy("fault_prepare", "its prepare hook raises", supports=MAX_FWD,
                    prepare=lambda p: 1 // 0)
def fault_prepare(x, p):
    return np.zeros(p.output_shape, p.dtype)


@poolbench.strategy("fault_writes_input", "writes into its read-only input", supports=MAX_FWD)
def fault_writes_input(x, p):
    x[...] = 0
    return np.zeros(p.output_shape, p.dtype)


@poolbench.strategy("fault_nul", "raises with a NUL byte in its message", supports=MAX_FWD)
def fault_nul(x, p):
    raise ValueError("before\x00after the NUL")

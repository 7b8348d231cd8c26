# A strategy that forks with os.fork(): the child returns the right answer into the worker just
# as the parent does. The harness must fail it ("forked a child that wrote to the harness") and
# not shift the verdicts of the strategies after it.
import os

import poolbench


def blocks(p):
    if p.op != "max" or p.direction != "fwd" or p.indices or p.layout != "nchw":
        return "max forward NCHW values only"
    if p.kernel != (2, 2) or p.stride != (2, 2) or p.padding != (0, 0) or p.dilation != (1, 1):
        return "2x2 blocks only"
    if p.h % 2 or p.w % 2:
        return "even planes only"
    return None


@poolbench.strategy("py_forks", "pools 2x2 blocks, then forks", supports=blocks)
def py_forks(x, p):
    out = x.reshape(p.n, p.c, p.h // 2, 2, p.w // 2, 2).max((3, 5))
    os.fork()
    return out

# A file that ignores SIGINT and SIGTERM at import: the harness must put its own handling back
# (and say so), so that an interrupted bench still saves what it did.
import signal

import numpy as np

import poolbench

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)


@poolbench.strategy("py_quiet", "a correct strategy from a file that ignores interrupts",
                    supports=lambda p: None if p.op == "max" and p.direction == "fwd"
                    and not p.indices and p.layout == "nchw" and p.kernel == (1, 1)
                    and p.stride == (1, 1) and p.padding == (0, 0) else "1x1 max only")
def py_quiet(x, p):
    return np.array(x)

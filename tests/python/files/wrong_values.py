# A user's file with one wrong strategy: its max ignores the last column of every window.
import poolbench


@poolbench.strategy("user_wrong", "block max that skips a column",
                    supports=lambda p: None if p.op == "max" and p.direction == "fwd" and not p.indices
                    and p.kernel == p.stride == (2, 2) and p.padding == (0, 0) and p.dilation == (1, 1)
                    and p.layout == "nchw" and p.h % 2 == 0 and p.w % 2 == 0 else "2x2 blocks only")
def user_wrong(x, p):
    return x[:, :, ::2, ::2].copy()

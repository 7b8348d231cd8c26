import poolbench

@poolbench.strategy("never_loaded", "a file with a syntax error")
def never_loaded(x, p)
    return x

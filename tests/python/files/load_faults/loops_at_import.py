# A file whose import never ends: the harness must stop waiting for it.
import poolbench

while True:
    pass

// A test plugin that never finishes loading (an endless loop in a static constructor).
#include "load_fault_strategy.hpp"

POOLBENCH_TEST_LOAD_FAULT(load_hang, for (volatile bool forever = true; forever;){});

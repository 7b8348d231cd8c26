// A test plugin that crashes (a SIGSEGV) while it is loaded (in a static constructor).
#include "load_fault_strategy.hpp"

POOLBENCH_TEST_LOAD_FAULT(load_crash, poolbench::testing::WriteNearNull());

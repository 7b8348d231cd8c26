// A test plugin that calls exit(0) while it is loaded (in a static constructor).
#include <cstdlib>

#include "load_fault_strategy.hpp"

POOLBENCH_TEST_LOAD_FAULT(load_exit, std::exit(0));

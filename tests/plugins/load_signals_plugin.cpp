// A test plugin that ignores SIGINT, SIGTERM and SIGCHLD while it is loaded, as a Python file
// calling signal.signal(signal.SIGINT, signal.SIG_IGN) at import does: bench would lose its
// graceful interrupt, and worker processes their exit statuses, unless the harness puts its own
// handling back.
#include <csignal>

#include "load_fault_strategy.hpp"

POOLBENCH_TEST_LOAD_FAULT(load_signals, std::signal(SIGINT, SIG_IGN); std::signal(SIGTERM, SIG_IGN);
                          std::signal(SIGCHLD, SIG_IGN));

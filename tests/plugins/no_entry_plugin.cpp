// A shared library that is not a poolbench plugin: it exports no entry point.
extern "C" int poolbench_test_not_a_plugin(void) { return 42; }

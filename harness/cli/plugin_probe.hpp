// Plugins are loaded into the harness process, and loading runs their code: a static
// constructor that calls exit(0) or crashes, a Python file that loops or calls os._exit(0) at
// import. The probe loads each plugin in a worker process first (harness/isolate), with a time
// limit, so that such a plugin is refused with its name and exit status 2 instead of ending
// poolbench silently (a CI gate would pass with nothing checked) or hanging it.
#pragma once

namespace poolbench::cli {

// Seconds a plugin may take to load in the probe: $POOLBENCH_LOAD_TIMEOUT (0: no limit), or 120.
double PluginLoadTimeout();

// Makes LoadPlugin probe every plugin before loading it (io/plugin_loader.hpp, SetLoadProbe).
void InstallPluginProbe();

}  // namespace poolbench::cli

// The handling of the signals the harness relies on, saved before code that is not the
// harness's runs in its process (a plugin's static constructors, a Python file's top level) and
// put back after it: a plugin that ignores SIGINT would otherwise take away the graceful
// interrupt of bench (save what is done, --resume), and one that ignores SIGCHLD would make
// worker processes' exit statuses vanish.
#pragma once

#include <signal.h>

#include <string>
#include <vector>

namespace poolbench {

class SignalDispositions {
 public:
  // Saves the dispositions of SIGINT, SIGTERM, SIGHUP, SIGCHLD and SIGPIPE, and whether each is
  // blocked.
  SignalDispositions();

  // Puts back every saved disposition and blocked state that changed since; returns the names
  // of the signals put back ("SIGINT", ...), empty when nothing changed.
  std::vector<std::string> Restore() const;

 private:
  struct Saved {
    int signal;
    struct sigaction action;
    bool blocked;
  };
  std::vector<Saved> saved_;
};

}  // namespace poolbench

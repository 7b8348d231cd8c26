// The one-line text form of a Problem ("descriptor"), used by suites, failures and reports.
//
// Canonical form, fields separated by ':':
//   OP:DIR:DTYPE:LAYOUT:NxCxHxW:kKHxKW[:sSHxSW][:pPHxPW][:dDHxDW][:ceil][:excl][:divD][:idx]
// e.g. "max:fwd:f32:nchw:1x1x4x4:k2x2:idx" or "avg:fwd:f64:nchw:2x3x7x7:k3x3:s2x2:p1x1:excl".
// Optional fields are printed only when they differ from their defaults (stride = kernel,
// padding 0, dilation 1, floor mode, count_include_pad, no divisor override, no indices).
//
// The parser also accepts the optional fields in any order, omitted DIR/DTYPE/LAYOUT (fwd,
// f32, nchw), "k3" for "k3x3" (likewise s/p/d) and "HxW" for "1x1xHxW"; it prints the
// canonical form, so Format(Parse(s)) == s for every canonical s and Parse(Format(p)) == p.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "poolbench/problem.hpp"

namespace poolbench {

class DescriptorError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws DescriptorError naming the offending field on malformed text. Does not validate the
// problem's semantics; call Validate() for that.
Problem ParseDescriptor(std::string_view text);

std::string FormatDescriptor(const Problem& p);

}  // namespace poolbench

// The one-line text form of a Problem ("descriptor"), used by suites, failures and reports.
//
// Canonical form, fields separated by ':', for a 2-D problem:
//   OP:DIR:DTYPE:LAYOUT:NxCxHxW:kKHxKW[:sSHxSW][:pPHxPW][:dDHxDW][:ceil][:excl][:divD][:idx]
// e.g. "max:fwd:f32:nchw:1x1x4x4:k2x2:idx" or "avg:fwd:f64:nchw:2x3x7x7:k3x3:s2x2:p1x1:excl".
// The layout names the spatial rank, and the shape and every window field have one size per
// spatial axis: 1-D (ncw, nwc) "max:fwd:f32:ncw:2x3x17:k3:s2", 3-D (ncdhw, ndhwc)
// "max:fwd:f32:ncdhw:1x2x8x8x8:k2x2x2". Optional fields are printed only when they differ from
// their defaults (stride = kernel, padding 0, dilation 1, floor mode, count_include_pad, no
// divisor override, no indices). A 2-D problem prints exactly as it did before problems had a
// rank.
//
// The parser also accepts the optional fields in any order, omitted DIR/DTYPE/LAYOUT (fwd,
// f32, nchw), one value for all axes ("k3" for "k3x3", "k2" for "k2x2x2"; likewise s/p/d) and
// "HxW" for "1x1xHxW"; it prints the canonical form, so Format(Parse(s)) == s for every
// canonical s and Parse(Format(p)) == p. Without a layout the problem is 2-D: a 1-D or 3-D
// shape must name its layout, and a shape or window field with the wrong number of values for
// the layout's rank is an error that says so.
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

// Wall-clock and version facts recorded in metadata and provenance files (internal: consumers of
// the library read the version from modelexport/version.h).
#pragma once

#include <string>

namespace modelexport {

// Current UTC time as ISO 8601, e.g. "2026-11-21T21:55:00Z".
std::string utc_timestamp();
// modelexport's version, e.g. "0.1.0".
std::string version();

}  // namespace modelexport

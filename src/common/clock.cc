#include "common/clock.h"

#include <ctime>

namespace modelexport {

std::string utc_timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string version() { return MODELEXPORT_VERSION; }

}  // namespace modelexport

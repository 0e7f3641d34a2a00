#include "modelexport/common/error.h"

#include <cstring>

namespace modelexport {

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r returns a pointer that may or may not be buf.
  return std::string(strerror_r(err, buf, sizeof buf));
}

}  // namespace modelexport

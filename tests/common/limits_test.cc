// The input caps and their environment overrides (modelexport/common/limits.h). Each parser's own
// refusals are in its bad-input table (tokenizer_test, json_util_test) and, measured through the CLI,
// in bounded_resources_*.
#include "modelexport/common/limits.h"

#include <gtest/gtest.h>

#include "modelexport/common/error.h"
#include "support/test_support.h"

namespace modelexport {
namespace {

TEST(InputLimits, DefaultsAndOverrides) {
  struct Case {
    const InputLimit& limit;
    uint64_t default_value;
  };
  for (const Case& c : {Case{kMaxJsonBytes, 134217728}, Case{kMaxVocabSize, 4194304}, Case{kMaxMerges, 4194304}}) {
    SCOPED_TRACE(c.limit.env_var);
    {
      test::EnvGuard env({{c.limit.env_var, ""}});
      EXPECT_EQ(limit_value(c.limit), c.default_value);
      EXPECT_TRUE(within_limit(c.limit, c.default_value));
      EXPECT_FALSE(within_limit(c.limit, c.default_value + 1));
    }
    test::EnvGuard env({{c.limit.env_var, "18446744073709551"}});
    EXPECT_EQ(limit_value(c.limit), 18446744073709551u);
    EXPECT_EQ(limit_exceeded(c.limit, 18446744073709552u), "18446744073709552 " + std::string(c.limit.unit) +
                                                               ", above the limit of 18446744073709551 (" +
                                                               c.limit.env_var + " raises it)");
  }
}

TEST(InputLimits, BadOverridesAreUsageErrorsNamingTheVariable) {
  for (const char* bad : {"abc", "0", "-5", "12k", " 12", "12345678901234567890"}) {
    test::EnvGuard env({{"MODELEXPORT_MAX_MERGES", bad}});
    try {
      limit_value(kMaxMerges);
      ADD_FAILURE() << "accepted MODELEXPORT_MAX_MERGES=" << bad;
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()), std::string("MODELEXPORT_MAX_MERGES=\"") + bad +
                                           "\": expected a positive whole number of merges (the default is 4194304)");
    }
  }
}

}  // namespace
}  // namespace modelexport

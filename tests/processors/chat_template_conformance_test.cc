// Chat-template parity with Python: every chat template of the corpus and of
// tests/fixtures/chat_templates (real templates, see its README) rendered with every conversation of
// conversations.json must give Python jinja2's output byte for byte, as transformers configures it
// (scripts/golden/chat_templates.py generates the expected outputs at test time). A template that
// raises in Python must raise here: with the same message when it is the template's raise_exception.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "modelexport/common/files.h"
#include "modelexport/processors/chat_template.h"

namespace {

namespace fs = std::filesystem;
using OJson = nlohmann::ordered_json;
using modelexport::processors::ChatTemplate;
using modelexport::processors::RenderOptions;
using modelexport::processors::TemplateError;

TEST(ChatTemplateConformance, EveryTemplateAndConversationMatchesPythonJinja2) {
  const char* path = std::getenv("GOLDEN_CHAT_TEMPLATES");
  if (!path || !fs::exists(path)) GTEST_SKIP() << "no golden chat templates (python3-jinja2 missing)";
  OJson golden = OJson::parse(modelexport::read_file(path));
  const auto& templates = golden["templates"];
  const auto& conversations = golden["conversations"];
  RenderOptions options;
  options.now = golden["now"].get<std::string>();

  std::vector<std::optional<ChatTemplate>> compiled(templates.size());
  std::vector<std::string> compile_errors(templates.size());
  for (size_t i = 0; i < templates.size(); ++i) {
    try {
      compiled[i] =
          ChatTemplate::from_source(templates[i]["source"].get<std::string>(), templates[i]["special_tokens"].dump());
    } catch (const modelexport::Error& e) { compile_errors[i] = e.what(); }
  }
  size_t identical = 0, total = 0;
  for (const auto& r : golden["results"]) {
    size_t t = r["template"].get<size_t>();
    int c = r["conversation"].get<int>();
    std::string id = templates[t]["id"].get<std::string>();
    ++total;
    if (c < 0) {  // Python refused the template's syntax
      EXPECT_FALSE(compiled[t]) << id << ": Python refuses it (" << r["message"] << ") but we compiled it";
      identical += !compiled[t];
      continue;
    }
    std::string what = id + " × " + conversations[c]["name"].get<std::string>();
    if (!compiled[t]) {
      ADD_FAILURE() << what << ": we refuse the template: " << compile_errors[t];
      continue;
    }
    std::string variables = conversations[c]["variables"].dump();
    try {
      std::string out = compiled[t]->render(variables, options);
      if (r.contains("output")) {
        EXPECT_EQ(out, r["output"].get<std::string>()) << what;
        identical += out == r["output"].get<std::string>();
      } else {
        ADD_FAILURE() << what << ": Python raises " << r["error"] << " (" << r["message"] << ") but we rendered:\n"
                      << out;
      }
    } catch (const TemplateError& e) {
      if (r.contains("output")) {
        ADD_FAILURE() << what << ": we raise '" << e.what() << "' but Python renders";
      } else if (r["error"] == "raised") {
        EXPECT_EQ(std::string(e.what()), r["message"].get<std::string>()) << what;
        identical += std::string(e.what()) == r["message"].get<std::string>();
      } else {
        ++identical;  // both refuse (jinja2's own error; messages differ in wording)
      }
    }
  }
  // bench/chat_template.sh: the median time of one render per template (all its conversations, repeated).
  if (const char* repeats = std::getenv("CHAT_TEMPLATE_BENCH_REPEATS")) {
    std::vector<double> per_render;
    for (size_t t = 0; t < templates.size(); ++t) {
      if (!compiled[t]) continue;
      std::vector<double> times;
      for (int rep = 0; rep < std::atoi(repeats); ++rep)
        for (const auto& c : conversations) {
          auto start = std::chrono::steady_clock::now();
          try {
            compiled[t]->render(c["variables"].dump(), options);
          } catch (const modelexport::Error&) {}
          times.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
        }
      std::sort(times.begin(), times.end());
      per_render.push_back(times[times.size() / 2]);
    }
    std::sort(per_render.begin(), per_render.end());
    std::cout << "chat templates: median render " << per_render[per_render.size() / 2] << " us (median over "
              << per_render.size() << " templates of each one's median; slowest " << per_render.back() << " us)\n";
  }
  std::cout << "chat templates: " << templates.size() << " templates x " << conversations.size()
            << " conversations: " << identical << "/" << total << " identical to Python jinja2 "
            << golden["jinja2"].get<std::string>() << "\n";
  EXPECT_EQ(identical, total);
}

}  // namespace

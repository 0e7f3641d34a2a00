#include "quantize/testdata_walk.h"

#include <onnx/onnx-data_pb.h>
#include <onnx/onnx_pb.h>
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include "format/model_proto.h"
#include "modelexport/common/error.h"
#include "modelexport/quantize/quantize.h"
#include "quantize/float16.h"
#include "quantize/onnxruntime_check.h"
#include "support/test_support.h"

namespace modelexport::test {

namespace fs = std::filesystem;

const char* outcome_name(WalkOutcome o) {
  switch (o) {
    case WalkOutcome::kPassed: return "passed";
    case WalkOutcome::kRefused: return "refused";
    case WalkOutcome::kSourceFails: return "source-fails-in-ort";
    case WalkOutcome::kLoadCheckRefuses: return "load-check-refuses";
    case WalkOutcome::kNotFed: return "inputs-not-fed";
    case WalkOutcome::kLeftOutput: return "FAIL-left-output";
    case WalkOutcome::kLoadFails: return "FAIL-load";
    case WalkOutcome::kRunFails: return "FAIL-run";
    case WalkOutcome::kOutOfTolerance: return "FAIL-tolerance";
    case WalkOutcome::kThrew: return "FAIL-threw";
  }
  return "?";
}

bool is_failure(WalkOutcome o) {
  return o == WalkOutcome::kLeftOutput || o == WalkOutcome::kLoadFails || o == WalkOutcome::kRunFails ||
         o == WalkOutcome::kOutOfTolerance || o == WalkOutcome::kThrew;
}

namespace {

Ort::Env& env() {
  static Ort::Env e(ORT_LOGGING_LEVEL_FATAL, "testdata-walk");
  return e;
}

// One tensor's values in a comparable form: numbers as doubles, strings as strings.
struct Flat {
  int type = 0;  // ONNX TensorProto data type
  std::vector<int64_t> shape;
  std::vector<double> numbers;
  std::vector<std::string> strings;
};
// A test value: a tensor, or a sequence of tensors.
struct Value {
  bool sequence = false;
  std::vector<Flat> items;  // one for a tensor
};

// Bytes per element of the types element_at reads: format::element_size's, without the complex types.
size_t element_size(int type) {
  if (type == onnx::TensorProto::COMPLEX64 || type == onnx::TensorProto::COMPLEX128) return 0;
  return format::element_size(type);
}

double element_at(const char* p, int type) {
  switch (type) {
    case onnx::TensorProto::FLOAT: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case onnx::TensorProto::DOUBLE: {
      double d;
      std::memcpy(&d, p, 8);
      return d;
    }
    case onnx::TensorProto::FLOAT16: {
      uint16_t h;
      std::memcpy(&h, p, 2);
      return quantize::half_to_float(h);
    }
    case onnx::TensorProto::BFLOAT16: {
      uint16_t h;
      std::memcpy(&h, p, 2);
      uint32_t u = static_cast<uint32_t>(h) << 16;
      float f;
      std::memcpy(&f, &u, 4);
      return f;
    }
    case onnx::TensorProto::INT8: return static_cast<int8_t>(*p);
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL: return static_cast<uint8_t>(*p);
    case onnx::TensorProto::INT16: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case onnx::TensorProto::UINT16: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case onnx::TensorProto::INT32: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case onnx::TensorProto::UINT32: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case onnx::TensorProto::INT64: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return static_cast<double>(v);
    }
    case onnx::TensorProto::UINT64: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      return static_cast<double>(v);
    }
  }
  return 0;
}

// The tensor's elements as little-endian bytes of its type (raw_data or the typed fields).
std::string tensor_bytes(const onnx::TensorProto& t, size_t count) {
  if (t.has_raw_data()) return t.raw_data();
  size_t es = element_size(t.data_type());
  std::string out(count * es, '\0');
  for (size_t i = 0; i < count; ++i) {
    char* p = &out[i * es];
    switch (t.data_type()) {
      case onnx::TensorProto::FLOAT: {
        float f = t.float_data(static_cast<int>(i));
        std::memcpy(p, &f, 4);
        break;
      }
      case onnx::TensorProto::DOUBLE: {
        double d = t.double_data(static_cast<int>(i));
        std::memcpy(p, &d, 8);
        break;
      }
      case onnx::TensorProto::INT64: {
        int64_t v = t.int64_data(static_cast<int>(i));
        std::memcpy(p, &v, 8);
        break;
      }
      case onnx::TensorProto::UINT64:
      case onnx::TensorProto::UINT32: {
        uint64_t v = t.uint64_data(static_cast<int>(i));
        std::memcpy(p, &v, es);
        break;
      }
      default: {
        int32_t v = t.int32_data(static_cast<int>(i));
        std::memcpy(p, &v, es);
        break;
      }  // int32_data holds the narrow types
    }
  }
  return out;
}

Flat flat_from_proto(const onnx::TensorProto& t) {
  Flat f;
  f.type = t.data_type();
  size_t count = 1;
  for (auto d : t.dims()) f.shape.push_back(d), count *= static_cast<size_t>(d);
  if (f.type == onnx::TensorProto::STRING) {
    f.strings.assign(t.string_data().begin(), t.string_data().end());
    return f;
  }
  std::string bytes = tensor_bytes(t, count);
  size_t es = element_size(f.type);
  if (es == 0 || bytes.size() != count * es)
    throw std::runtime_error("unsupported tensor type " + std::to_string(f.type));
  for (size_t i = 0; i < count; ++i) f.numbers.push_back(element_at(bytes.data() + i * es, f.type));
  return f;
}

// input_N.pb / output_N.pb: a TensorProto, or a SequenceProto when the graph's value is a sequence.
Value value_from_file(const fs::path& p, const onnx::TypeProto& type) {
  Value v;
  std::string bytes = read_bytes(p);
  if (type.has_tensor_type()) {
    onnx::TensorProto t;
    if (!t.ParseFromString(bytes)) throw std::runtime_error("cannot parse " + p.string());
    v.items.push_back(flat_from_proto(t));
  } else if (type.has_sequence_type() && type.sequence_type().elem_type().has_tensor_type()) {
    onnx::SequenceProto s;
    if (!s.ParseFromString(bytes)) throw std::runtime_error("cannot parse " + p.string());
    v.sequence = true;
    for (const auto& t : s.tensor_values()) v.items.push_back(flat_from_proto(t));
  } else {
    throw std::invalid_argument("not a tensor or a sequence of tensors");
  }
  return v;
}

// Ort values for one test's inputs, with the memory they borrow.
struct Feed {
  std::vector<std::string> names;
  std::vector<Ort::Value> values;
  std::deque<std::string> buffers;
};

Ort::Value ort_tensor(onnx::TensorProto t, std::deque<std::string>& buffers, int declared = 0) {
  // The testdata stores bfloat16 inputs as uint16 bits: feed them as the type the graph declares.
  if (declared && declared != t.data_type() && element_size(declared) == element_size(t.data_type()) &&
      t.has_raw_data())
    t.set_data_type(declared);
  static Ort::MemoryInfo cpu = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  std::vector<int64_t> shape(t.dims().begin(), t.dims().end());
  size_t count = 1;
  for (auto d : shape) count *= static_cast<size_t>(d);
  auto type = static_cast<ONNXTensorElementDataType>(t.data_type());
  if (t.data_type() == onnx::TensorProto::STRING) {
    Ort::AllocatorWithDefaultOptions alloc;
    Ort::Value v = Ort::Value::CreateTensor(alloc, shape.data(), shape.size(), type);
    std::vector<const char*> s;
    for (const auto& x : t.string_data()) s.push_back(x.c_str());
    v.FillStringTensor(s.data(), s.size());
    return v;
  }
  buffers.push_back(tensor_bytes(t, count));
  auto& b = buffers.back();
  if (b.size() != count * element_size(t.data_type())) throw std::runtime_error("tensor data size");
  return Ort::Value::CreateTensor(cpu, b.data(), b.size(), shape.data(), shape.size(), type);
}

Feed make_feed(const onnx::ModelProto& model, const fs::path& dataset) {
  Feed f;
  std::set<std::string> initializers;
  for (const auto& t : model.graph().initializer()) initializers.insert(t.name());
  int k = 0;
  for (const auto& in : model.graph().input()) {
    if (initializers.count(in.name())) continue;
    fs::path p = dataset / ("input_" + std::to_string(k++) + ".pb");
    if (!fs::exists(p)) break;  // optional trailing inputs left out by the test
    std::string bytes = read_bytes(p);
    if (in.type().has_tensor_type()) {
      onnx::TensorProto t;
      if (!t.ParseFromString(bytes)) throw std::runtime_error("cannot parse " + p.string());
      f.values.push_back(ort_tensor(t, f.buffers, in.type().tensor_type().elem_type()));
    } else if (in.type().has_sequence_type() && in.type().sequence_type().elem_type().has_tensor_type()) {
      onnx::SequenceProto s;
      if (!s.ParseFromString(bytes)) throw std::runtime_error("cannot parse " + p.string());
      if (s.tensor_values_size() == 0) throw std::invalid_argument("an empty sequence input");
      std::vector<Ort::Value> items;
      for (const auto& t : s.tensor_values()) items.push_back(ort_tensor(t, f.buffers));
      f.values.push_back(Ort::Value::CreateSequence(items));
    } else {
      throw std::invalid_argument("input '" + in.name() + "' is not a tensor or a sequence of tensors");
    }
    f.names.push_back(in.name());
  }
  return f;
}

Flat flat_from_ort(const Ort::Value& v) {
  Flat f;
  auto info = v.GetTensorTypeAndShapeInfo();
  f.type = static_cast<int>(info.GetElementType());
  f.shape = info.GetShape();
  size_t count = info.GetElementCount();
  if (f.type == onnx::TensorProto::STRING) {
    for (size_t i = 0; i < count; ++i) f.strings.push_back(v.GetStringTensorElement(i));
    return f;
  }
  const char* p = static_cast<const char*>(v.GetTensorRawData());
  size_t es = element_size(f.type);
  for (size_t i = 0; i < count; ++i) f.numbers.push_back(element_at(p + i * es, f.type));
  return f;
}

// Runs the model (bytes) on the feed; outputs in graph order.
std::vector<Value> run(const fs::path& model, Feed& feed) {
  Ort::SessionOptions o;
  o.SetIntraOpNumThreads(1);
  o.SetInterOpNumThreads(1);
  Ort::Session s(env(), model.c_str(), o);
  std::vector<std::string> out_names;
  for (size_t i = 0; i < s.GetOutputCount(); ++i)
    out_names.push_back(s.GetOutputNameAllocated(i, Ort::AllocatorWithDefaultOptions()).get());
  std::vector<const char*> in_c, out_c;
  for (auto& n : feed.names) in_c.push_back(n.c_str());
  for (auto& n : out_names) out_c.push_back(n.c_str());
  auto outs = s.Run(Ort::RunOptions{}, in_c.data(), feed.values.data(), feed.values.size(), out_c.data(), out_c.size());
  std::vector<Value> result;
  Ort::AllocatorWithDefaultOptions alloc;
  for (auto& v : outs) {
    Value r;
    if (v.IsTensor()) {
      r.items.push_back(flat_from_ort(v));
    } else if (v.GetTypeInfo().GetONNXType() == ONNX_TYPE_SEQUENCE) {
      r.sequence = true;
      for (size_t i = 0; i < v.GetCount(); ++i)
        r.items.push_back(flat_from_ort(v.GetValue(static_cast<int>(i), alloc)));
    } else {
      throw std::invalid_argument("an output that is not a tensor or a sequence");
    }
    result.push_back(std::move(r));
  }
  return result;
}

bool is_float(int type) {
  return type == onnx::TensorProto::FLOAT || type == onnx::TensorProto::DOUBLE || type == onnx::TensorProto::FLOAT16 ||
         type == onnx::TensorProto::BFLOAT16;
}

// How far candidate is from reference, in units of the allowed error (<= 1 is within tolerance):
// float elements |c - r| / (atol * max|r| + rtol * |r|), so tiny elements are judged against the
// tensor's scale; integer, bool and string elements must be equal (any difference is 'inf').
struct Tolerance {
  double rtol, atol;
};
double excess(const Value& c, const Value& r, const Tolerance& tol, std::string& why) {
  if (c.items.size() != r.items.size()) return why = "sequence length differs", INFINITY;
  double worst = 0;
  for (size_t k = 0; k < c.items.size(); ++k) {
    const Flat &a = c.items[k], &b = r.items[k];
    if (a.shape != b.shape) return why = "shape differs", INFINITY;
    if (a.strings != b.strings) return why = "strings differ", INFINITY;
    double scale = 0;
    for (double x : b.numbers)
      if (std::isfinite(x)) scale = std::max(scale, std::abs(x));
    for (size_t i = 0; i < a.numbers.size(); ++i) {
      double x = a.numbers[i], y = b.numbers[i];
      if (std::isnan(x) && std::isnan(y)) continue;
      if (x == y) continue;
      if (!is_float(b.type) || !std::isfinite(x) || !std::isfinite(y)) {
        why = "element " + std::to_string(i) + ": " + std::to_string(x) + " vs " + std::to_string(y);
        return INFINITY;
      }
      double e = std::abs(x - y) / (tol.atol * scale + tol.rtol * std::abs(y));
      if (e > worst) {
        worst = e;
        why = "element " + std::to_string(i) + ": " + std::to_string(x) + " vs " + std::to_string(y);
      }
    }
  }
  return worst;
}

double same_form(const Value& c, const Value& r, std::string& why) {
  if (c.items.size() != r.items.size()) return why = "sequence length differs", INFINITY;
  for (size_t k = 0; k < c.items.size(); ++k)
    if (c.items[k].shape != r.items[k].shape || c.items[k].type != r.items[k].type)
      return why = "shape or type differs", INFINITY;
  return 0;
}

// Tolerances per dtype, as (relative to the element, relative to the tensor's largest magnitude).
Tolerance tolerance_for(const std::string& dtype) {
  // fp16: 10 stored mantissa bits round each value to within 2^-11 ≈ 4.9e-4 relative; the input
  // and the op's result are both rounded: 1e-3. Against the tensor's scale 1e-3 too (a sum's
  // cancellation loses relative accuracy on its small elements, not on its scale). The walk's worst
  // fp16 run measures 4.8e-4 (a LayerNormalization expanded into 9 ops).
  if (dtype == "fp16") return {1e-3, 1e-3};
  // q4 (MatMulNBits, symmetric, block 32): each weight is off by up to half a step, scale/2 =
  // max|w|/16 of its block; a dot product over K terms of such independent errors stays within
  // ~1/16 of the output's scale. q4f16 adds fp16's error on top.
  if (dtype == "q4" || dtype == "q4f16") return {1.0 / 16, 1.0 / 16};
  // q8 (per-tensor uint8/int8 weights and dynamically quantized activations): each operand is off by
  // half of 1/255 of its range, about 1/255 of the output's scale after accumulation; 4 steps.
  return {4.0 / 255, 4.0 / 255};
}

bool has_random_op(const onnx::GraphProto& g) {
  static const std::set<std::string> random = {"Bernoulli",        "Multinomial",   "RandomNormal",
                                               "RandomNormalLike", "RandomUniform", "RandomUniformLike"};
  for (const auto& n : g.node()) {
    if (random.count(n.op_type())) return true;
    for (const auto& a : n.attribute()) {
      if (a.has_g() && has_random_op(a.g())) return true;
      for (const auto& sub : a.graphs())
        if (has_random_op(sub)) return true;
    }
  }
  return false;
}

bool has_float_input(const onnx::ModelProto& m) {
  std::set<std::string> inits;
  for (const auto& t : m.graph().initializer()) inits.insert(t.name());
  for (const auto& i : m.graph().input())
    if (!inits.count(i.name()) && i.type().has_tensor_type() && is_float(i.type().tensor_type().elem_type()))
      return true;
  return false;
}

bool only_listed_files(const fs::path& dir, const std::set<fs::path>& allowed) {
  for (const auto& e : fs::directory_iterator(dir))
    if (!allowed.count(e.path())) return false;
  return true;
}

}  // namespace

std::vector<WalkResult> walk_testdata(const std::vector<fs::path>& models, const std::vector<std::string>& dtypes,
                                      const fs::path& scratch) {
  std::vector<WalkResult> results;
  for (const auto& path : models) {
    std::string name =
        path.parent_path().parent_path().filename().string() + "/" + path.parent_path().filename().string();
    auto add_all = [&](WalkOutcome o, const std::string& d) {
      for (const auto& dt : dtypes) results.push_back({name, dt, o, d});
    };
    onnx::ModelProto proto;
    if (!proto.ParseFromString(read_bytes(path))) {
      add_all(WalkOutcome::kSourceFails, "protobuf cannot parse the test model");
      continue;
    }
    fs::path dataset = path.parent_path() / "test_data_set_0";
    // The reference: the float32 model through ORT, and the test's expected outputs.
    std::vector<Value> fp32, expected;
    // Outputs of random ops are draws: a float16 probability (or any other change) draws anew, so
    // they are compared by shape and type only; so are outputs that differ between two float32 runs.
    bool random_outputs = has_random_op(proto.graph());
    // Without a reference (the float32 model fails in ORT, or its inputs cannot be fed) the runs are
    // still made: a refusal, or an output ORT loads (nothing to compare it with), or one the load
    // check refuses where ORT cannot load the source either.
    std::optional<WalkOutcome> no_reference;
    std::string why_no_reference;
    try {
      Feed feed = make_feed(proto, dataset);
      fp32 = run(path, feed);
      Feed again = make_feed(proto, dataset);
      std::vector<Value> second = run(path, again);
      for (size_t k = 0; k < fp32.size(); ++k) {
        std::string why;
        random_outputs |= excess(second[k], fp32[k], {0, 0}, why) > 0;
      }
      for (int k = 0; k < proto.graph().output_size(); ++k) {
        fs::path p = dataset / ("output_" + std::to_string(k) + ".pb");
        expected.push_back(value_from_file(p, proto.graph().output(k).type()));
      }
    } catch (const std::invalid_argument& e) {
      no_reference = WalkOutcome::kNotFed, why_no_reference = e.what();
    } catch (const std::exception& e) { no_reference = WalkOutcome::kSourceFails, why_no_reference = e.what(); }
    // Compare with the test's expected outputs when its inputs are float (the quantized model sees
    // the same values), else with the float32 model's; also when ORT's float32 run itself differs from
    // the expected outputs beyond float32 round-off (random ops, ORT's own deviations).
    bool use_expected = has_float_input(proto) && expected.size() == fp32.size();
    for (size_t k = 0; use_expected && k < fp32.size(); ++k) {
      std::string why;
      use_expected = excess(fp32[k], expected[k], {1e-4, 1e-4}, why) <= 1;
    }
    const std::vector<Value>& reference = use_expected ? expected : fp32;

    for (const auto& dtype : dtypes) {
      fs::path out = scratch / (path.parent_path().filename().string() + "_" + dtype + ".onnx");
      quantize::QuantizeOptions o;
      o.dtype = dtype;
      o.show_progress = false;
      o.threads = 1;
      try {
        quantize::quantize_model(path, out, o);
      } catch (const Error& e) {
        bool clean = only_listed_files(scratch, {}) && std::string(e.what()).size() > 10;
        results.push_back({name, dtype, clean ? WalkOutcome::kRefused : WalkOutcome::kLeftOutput, e.what()});
        fs::remove_all(scratch), fs::create_directories(scratch);
        continue;
      } catch (const std::exception& e) {
        results.push_back({name, dtype, WalkOutcome::kThrew, e.what()});
        fs::remove_all(scratch), fs::create_directories(scratch);
        continue;
      }
      WalkResult r{name, dtype, WalkOutcome::kPassed, ""};
      try {
        quantize::check_onnxruntime_loads(out);
        if (no_reference) r.outcome = *no_reference, r.detail = why_no_reference;
      } catch (const Error& e) {
        bool source_loads = true;
        try {
          quantize::check_onnxruntime_loads(path);
        } catch (const Error&) { source_loads = false; }
        r.outcome = source_loads ? WalkOutcome::kLoadFails : WalkOutcome::kLoadCheckRefuses, r.detail = e.what();
      }
      if (r.outcome == WalkOutcome::kPassed) {
        try {
          Feed feed = make_feed(proto, dataset);
          std::vector<Value> got = run(out, feed);
          Tolerance tol = tolerance_for(dtype);
          double worst = 0;
          for (size_t k = 0; k < got.size() && k < reference.size(); ++k) {
            std::string why;
            // Random outputs differ run to run: only their shapes and types can be compared.
            double e = random_outputs ? same_form(got[k], reference[k], why) : excess(got[k], reference[k], tol, why);
            if (e > worst)
              worst = e,
              r.detail = "output " + std::to_string(k) + " " + why + " (" + std::to_string(e) + "x the tolerance)";
          }
          if (got.size() != reference.size()) worst = INFINITY, r.detail = "output count differs";
          if (worst > 1) r.outcome = WalkOutcome::kOutOfTolerance;
        } catch (const std::exception& e) { r.outcome = WalkOutcome::kRunFails, r.detail = e.what(); }
      }
      results.push_back(r);
      fs::remove_all(scratch), fs::create_directories(scratch);
    }
  }
  return results;
}

}  // namespace modelexport::test

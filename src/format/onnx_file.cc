#include "modelexport/format/onnx_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdint>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "format/wire.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"

namespace modelexport::format {
namespace {

// Field numbers from onnx.proto.
namespace model_f { enum : uint32_t { ir_version = 1, producer_name = 2, producer_version = 3, domain = 4,
  model_version = 5, doc_string = 6, graph = 7, opset_import = 8, metadata_props = 14, training_info = 20,
  functions = 25, configuration = 26 }; }
namespace graph_f { enum : uint32_t { node = 1, name = 2, initializer = 5, input = 11, output = 12, sparse_initializer = 15 }; }
namespace node_f { enum : uint32_t { op_type = 4, attribute = 5 }; }
namespace attr_f { enum : uint32_t { t = 5, g = 6, tensors = 10, graphs = 11, sparse_tensor = 22, sparse_tensors = 23 }; }
namespace tensor_f {
enum : uint32_t { dims = 1, data_type = 2, name = 8, external_data = 13, data_location = 14 };
}
namespace sparse_f { enum : uint32_t { values = 1, indices = 2 }; }
namespace function_f { enum : uint32_t { node = 7 }; }

constexpr std::string_view kLfsPrefix = "version https://git-lfs.github.com/spec/";

[[noreturn]] void throw_lfs_pointer(std::string_view bytes, std::string_view name) {
  std::string size = "unknown size", oid = "unknown";
  auto field = [&](std::string_view key) -> std::string {
    auto p = bytes.find(key);
    if (p == std::string_view::npos) return {};
    // `key` starts with the newline before it: the value ends at the next one (or a CR before it).
    auto e = bytes.find('\n', p + key.size());
    if (e != std::string_view::npos && e > p + key.size() && bytes[e - 1] == '\r') --e;
    return std::string(bytes.substr(p + key.size(), e == std::string_view::npos ? std::string_view::npos : e - p - key.size()));
  };
  if (auto s = field("\nsize "); !s.empty()) size = s + " bytes";
  if (auto o = field("\noid "); !o.empty()) oid = o;
  throw FormatError("'" + std::string(name) + "' is a Git LFS pointer, not an ONNX model: the real file (" + size +
                    ", " + oid + ") was never downloaded. Fetch it with `git lfs pull` or from the Hugging Face Hub.");
}

std::string describe_non_onnx(std::string_view bytes) {
  auto first = bytes.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos) {
    char c = bytes[first];
    if (c == '<') return " (it looks like HTML/XML text)";
    if (c == '{' || c == '[') return " (it looks like JSON text)";
  }
  if (bytes.find("\xEF\xBF\xBD") != std::string_view::npos)
    return " (it contains U+FFFD replacement characters: binary data that was mangled as UTF-8 text)";
  return "";
}

std::string str(std::string_view v) { return std::string(v); }

ValueInfo parse_value_info(std::string_view buf, const WireField& vf, const std::string& ctx) {
  ValueInfo info;
  WireReader r(buf, vf.payload, ctx);
  while (!r.done()) {
    WireField f = r.next();
    if (f.number == 1 && f.type == WireType::kLen) {
      info.name = str(f.payload);
    } else if (f.number == 2 && f.type == WireType::kLen) {  // TypeProto
      WireReader tr(buf, f.payload, ctx + " type");
      while (!tr.done()) {
        WireField t = tr.next();
        if (t.type != WireType::kLen) continue;
        if (t.number == 4) info.elem_type = "sequence";
        else if (t.number == 5) info.elem_type = "map";
        else if (t.number == 9) info.elem_type = "optional";
        else if (t.number == 1 || t.number == 8) {  // tensor_type / sparse_tensor_type
          WireReader ttr(buf, t.payload, ctx + " tensor type");
          while (!ttr.done()) {
            WireField tt = ttr.next();
            if (tt.number == 1 && tt.type == WireType::kVarint) info.elem_type = elem_type_name(static_cast<int64_t>(tt.varint));
            else if (tt.number == 2 && tt.type == WireType::kLen) {  // TensorShapeProto
              info.has_shape = true;
              WireReader sr(buf, tt.payload, ctx + " shape");
              while (!sr.done()) {
                WireField d = sr.next();
                if (d.number != 1 || d.type != WireType::kLen) continue;
                Dim dim;
                WireReader dr(buf, d.payload, ctx + " dim");
                while (!dr.done()) {
                  WireField x = dr.next();
                  if (x.number == 1 && x.type == WireType::kVarint) dim.value = static_cast<int64_t>(x.varint);
                  else if (x.number == 2 && x.type == WireType::kLen) dim.param = str(x.payload);
                }
                info.shape.push_back(std::move(dim));
              }
            }
          }
        }
      }
    }
  }
  return info;
}

// Bytes per element of a TensorProto.DataType with a fixed size, in eighths of a byte (4-bit types
// pack two per byte, onnx.proto); 0 for string and unknown types.
uint64_t element_eighths(int64_t data_type) {
  switch (data_type) {
    case 2:
    case 3:
    case 9:
    case 17:
    case 18:
    case 19:
    case 20: return 8;  // 8-bit ints, bool, float8*
    case 4:
    case 5:
    case 10:
    case 16: return 16;  // 16-bit ints, float16, bfloat16
    case 1:
    case 6:
    case 12: return 32;  // float32, int32, uint32
    case 7:
    case 11:
    case 13:
    case 14: return 64;   // int64, float64, uint64, complex64
    case 15: return 128;  // complex128
    case 21:
    case 22:
    case 23: return 4;  // uint4, int4, float4e2m1
    default: return 0;
  }
}

// A decimal byte count as ONNX writes offset/length ("0", "4096").
std::optional<uint64_t> parse_byte_count(const std::string& s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// Reads the dims of a TensorProto field 1: packed (LEN) or one varint per field.
void read_dims(const WireField& f, const std::string& ctx, std::vector<uint64_t>& dims) {
  if (f.type == WireType::kVarint) {
    dims.push_back(f.varint);
    return;
  }
  std::string_view p = f.payload;
  size_t i = 0;
  while (i < p.size()) {
    uint64_t v = 0;
    int shift = 0;
    while (true) {
      if (i >= p.size() || shift > 63) throw FormatError(ctx + ": malformed packed dims");
      auto b = static_cast<unsigned char>(p[i++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    dims.push_back(v);
  }
}

// Records the external data of a TensorProto, if any; returns its name.
std::string scan_tensor(std::string_view buf, std::string_view payload, const std::string& ctx,
                        std::vector<ExternalTensor>& external) {
  ExternalTensor t;
  bool is_external = false;
  int64_t data_type = 0;
  std::vector<uint64_t> dims;
  std::optional<std::string> offset, length;
  WireReader r(buf, payload, ctx);
  while (!r.done()) {
    WireField f = r.next();
    if (f.number == tensor_f::name && f.type == WireType::kLen) t.tensor = str(f.payload);
    else if (f.number == tensor_f::dims && (f.type == WireType::kVarint || f.type == WireType::kLen))
      read_dims(f, ctx, dims);
    else if (f.number == tensor_f::data_type && f.type == WireType::kVarint) data_type = static_cast<int64_t>(f.varint);
    else if (f.number == tensor_f::data_location && f.type == WireType::kVarint) is_external = f.varint == 1;
    else if (f.number == tensor_f::external_data && f.type == WireType::kLen) {
      WireReader er(buf, f.payload, ctx + " external_data");
      std::string key, value;
      while (!er.done()) {
        WireField e = er.next();
        if (e.number == 1 && e.type == WireType::kLen) key = str(e.payload);
        else if (e.number == 2 && e.type == WireType::kLen) value = str(e.payload);
      }
      if (key == "location") t.location = value;
      else if (key == "offset") offset = value;
      else if (key == "length") length = value;
    }
  }
  if (!is_external) return t.tensor;
  if (t.location.empty()) t.malformed = "external data without a \"location\"";
  if (offset) {
    if (auto v = parse_byte_count(*offset)) t.offset = *v;
    else t.malformed = "external data offset '" + *offset + "' is not a byte count";
  }
  if (length) {
    if (auto v = parse_byte_count(*length)) t.length = *v;
    else t.malformed = "external data length '" + *length + "' is not a byte count";
  }
  if (uint64_t eighths = element_eighths(data_type)) {
    // dims multiply in 128 bits: a corrupt dim must not wrap around to a plausible size.
    unsigned __int128 n = 1;
    for (uint64_t d : dims) n = std::min<unsigned __int128>(n * d, static_cast<unsigned __int128>(UINT64_MAX));
    unsigned __int128 bytes = (n * eighths + 7) / 8;
    if (bytes <= UINT64_MAX) t.data_bytes = static_cast<uint64_t>(bytes);
  }
  std::string name = t.tensor;
  external.push_back(std::move(t));
  return name;
}

void scan_graph_for_external(std::string_view buf, std::string_view payload, const std::string& ctx,
                             std::vector<ExternalTensor>& external);

// SparseTensorProto: its values and indices are TensorProtos, either may be external.
void scan_sparse_tensor(std::string_view buf, std::string_view payload, const std::string& ctx,
                        std::vector<ExternalTensor>& external) {
  WireReader r(buf, payload, ctx);
  while (!r.done()) {
    WireField s = r.next();
    if ((s.number == sparse_f::values || s.number == sparse_f::indices) && s.type == WireType::kLen)
      scan_tensor(buf, s.payload, ctx, external);
  }
}

void scan_node_for_external(std::string_view buf, std::string_view payload, const std::string& ctx,
                            std::vector<ExternalTensor>& external) {
  WireReader r(buf, payload, ctx);
  while (!r.done()) {
    WireField f = r.next();
    if (f.number != node_f::attribute || f.type != WireType::kLen) continue;
    WireReader ar(buf, f.payload, ctx + " attribute");
    while (!ar.done()) {
      WireField a = ar.next();
      if (a.type != WireType::kLen) continue;
      if (a.number == attr_f::t || a.number == attr_f::tensors) scan_tensor(buf, a.payload, ctx + " tensor", external);
      else if (a.number == attr_f::g || a.number == attr_f::graphs) scan_graph_for_external(buf, a.payload, ctx + " subgraph", external);
      else if (a.number == attr_f::sparse_tensor || a.number == attr_f::sparse_tensors)
        scan_sparse_tensor(buf, a.payload, ctx + " sparse tensor", external);
    }
  }
}

void scan_graph_for_external(std::string_view buf, std::string_view payload, const std::string& ctx,
                             std::vector<ExternalTensor>& external) {
  WireReader r(buf, payload, ctx);
  while (!r.done()) {
    WireField f = r.next();
    if (f.type != WireType::kLen) continue;
    if (f.number == graph_f::initializer) scan_tensor(buf, f.payload, ctx + " initializer", external);
    else if (f.number == graph_f::node) scan_node_for_external(buf, f.payload, ctx + " node", external);
    else if (f.number == graph_f::sparse_initializer)
      scan_sparse_tensor(buf, f.payload, ctx + " sparse initializer", external);
  }
}

}  // namespace

std::string elem_type_name(int64_t t) {
  static const char* kNames[] = {"undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64",
                                 "string", "bool", "float16", "float64", "uint32", "uint64", "complex64",
                                 "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz", "float8e5m2",
                                 "float8e5m2fnuz", "uint4", "int4", "float4e2m1"};
  if (t >= 0 && t < static_cast<int64_t>(std::size(kNames))) return kNames[t];
  return "type<" + std::to_string(t) + ">";
}

ModelHeader scan_model_header(std::string_view bytes, std::string_view name) {
  std::string ctx = "'" + std::string(name) + "'";
  if (bytes.empty()) throw FormatError(ctx + " is empty, expected an ONNX model (a serialized ModelProto)");
  if (bytes.substr(0, kLfsPrefix.size()) == kLfsPrefix) throw_lfs_pointer(bytes, name);

  ModelHeader h;
  bool have_ir = false, have_graph = false;
  try {
    WireReader r(bytes, 0, bytes.size(), ctx);
    while (!r.done()) {
      WireField f = r.next();
      h.fields.push_back({f.number, {f.start, f.end - f.start}});
      auto expect = [&](WireType t) {
        if (f.type != t)
          throw FormatError(ctx + ": ModelProto field " + std::to_string(f.number) + " at byte " +
                            std::to_string(f.start) + " has the wrong wire type");
      };
      switch (f.number) {
        case model_f::ir_version: expect(WireType::kVarint); h.ir_version = static_cast<int64_t>(f.varint); have_ir = true; break;
        case model_f::producer_name: expect(WireType::kLen); h.producer_name = str(f.payload); break;
        case model_f::producer_version: expect(WireType::kLen); h.producer_version = str(f.payload); break;
        case model_f::domain: expect(WireType::kLen); h.domain = str(f.payload); break;
        case model_f::model_version: expect(WireType::kVarint); h.model_version = static_cast<int64_t>(f.varint); break;
        case model_f::doc_string: expect(WireType::kLen); h.doc_string = str(f.payload); break;
        case model_f::graph:
          expect(WireType::kLen);
          if (have_graph) throw FormatError(ctx + ": two graph fields (7); expected one");
          h.graph = {f.start, f.end - f.start};
          have_graph = true;
          break;
        case model_f::opset_import: {
          expect(WireType::kLen);
          OpsetImport op;
          WireReader o(bytes, f.payload, ctx + " opset_import");
          while (!o.done()) {
            WireField x = o.next();
            if (x.number == 1 && x.type == WireType::kLen) op.domain = str(x.payload);
            else if (x.number == 2 && x.type == WireType::kVarint) op.version = static_cast<int64_t>(x.varint);
          }
          h.opset_imports.push_back(std::move(op));
          break;
        }
        case model_f::metadata_props: {
          expect(WireType::kLen);
          MetadataProp p;
          p.span = {f.start, f.end - f.start};
          WireReader m(bytes, f.payload, ctx + " metadata_props");
          while (!m.done()) {
            WireField x = m.next();
            if (x.number == 1 && x.type == WireType::kLen) p.key = x.payload;
            else if (x.number == 2 && x.type == WireType::kLen) p.value = x.payload;
          }
          h.metadata_props.push_back(std::move(p));
          break;
        }
        case model_f::training_info:
        case model_f::functions:
        case model_f::configuration:
          expect(WireType::kLen);
          break;
        default:
          break;  // unknown fields are kept verbatim, as protobuf does
      }
    }
  } catch (const FormatError& e) {
    throw FormatError(std::string(e.what()) + "; not a valid ONNX model" + describe_non_onnx(bytes.substr(0, 4096)));
  }
  if (!have_graph || !have_ir)
    throw FormatError(ctx + " is not an ONNX model: " + (have_graph ? "no ir_version (field 1)" : "no graph (field 7)") +
                      describe_non_onnx(bytes.substr(0, 4096)));
  return h;
}

GraphSummary summarize_graph(std::string_view bytes, const ModelHeader& h, std::string_view name,
                             const std::function<void(uint64_t, uint64_t)>& release) {
  GraphSummary s;
  std::string ctx = "'" + std::string(name) + "' graph";
  WireReader top(bytes, h.graph.offset, h.graph.offset + h.graph.size, ctx);
  WireField g = top.next();
  WireReader r(bytes, g.payload, ctx);
  std::unordered_set<std::string> initializer_names;
  std::set<std::string> op_types;
  std::vector<ValueInfo> inputs;
  std::vector<ExternalTensor> external;
  uint64_t release_from = offset_in(bytes, g.payload);
  while (!r.done()) {
    WireField f = r.next();
    if (f.type != WireType::kLen) continue;
    switch (f.number) {
      case graph_f::node: {
        ++s.node_count;
        scan_node_for_external(bytes, f.payload, ctx + " node", external);
        WireReader nr(bytes, f.payload, ctx + " node");
        while (!nr.done()) {
          WireField nf = nr.next();
          if (nf.number == node_f::op_type && nf.type == WireType::kLen) op_types.insert(str(nf.payload));
        }
        break;
      }
      case graph_f::name: s.name = str(f.payload); break;
      case graph_f::initializer:
        ++s.initializer_count;
        initializer_names.insert(scan_tensor(bytes, f.payload, ctx + " initializer", external));
        break;
      case graph_f::sparse_initializer: ++s.initializer_count; break;
      case graph_f::input: inputs.push_back(parse_value_info(bytes, f, ctx + " input")); break;
      case graph_f::output: s.outputs.push_back(parse_value_info(bytes, f, ctx + " output")); break;
      default: break;
    }
    if (release && f.end - release_from >= (32u << 20)) {
      // Batched (a syscall per 32 MB walked). The next range starts at this field, not its end:
      // touching the next header faults in the aligned window around it, which reaches back here.
      release(release_from, f.end - release_from);
      release_from = f.start;
    }
  }
  for (auto& in : inputs)
    if (!initializer_names.count(in.name)) s.inputs.push_back(std::move(in));
  // Model-local functions may hold Constant tensors with external data too.
  for (const auto& field : h.fields) {
    if (field.number != model_f::functions) continue;
    WireReader fr(bytes, field.span.offset, field.span.offset + field.span.size, ctx);
    WireField fn = fr.next();
    WireReader nr(bytes, fn.payload, ctx + " function");
    while (!nr.done()) {
      WireField n = nr.next();
      if (n.number == function_f::node && n.type == WireType::kLen) scan_node_for_external(bytes, n.payload, ctx, external);
    }
  }
  std::set<std::string> files;
  for (const auto& t : external)
    if (!t.location.empty()) files.insert(t.location);
  s.external_data_files.assign(files.begin(), files.end());
  s.external_tensors = std::move(external);
  s.op_types.assign(op_types.begin(), op_types.end());
  return s;
}

OnnxFile::OnnxFile(const std::filesystem::path& path)
    : file_(path), header_(scan_model_header(file_.bytes(), path.string())) {}
OnnxFile::~OnnxFile() = default;
OnnxFile::OnnxFile(OnnxFile&&) noexcept = default;

const GraphSummary& OnnxFile::graph() const {
  if (!graph_)
    graph_ = std::make_unique<GraphSummary>(summarize_graph(
        bytes(), header_, path().string(), [this](uint64_t off, uint64_t len) { file_.release(off, len); }));
  return *graph_;
}

std::optional<std::string_view> OnnxFile::metadata(std::string_view key) const {
  std::optional<std::string_view> found;
  for (const auto& p : header_.metadata_props)
    if (p.key == key) found = p.value;
  return found;
}

std::vector<std::string> OnnxFile::missing_external_data() const {
  std::vector<std::string> missing;
  auto dir = path().parent_path();
  for (const auto& f : graph().external_data_files)
    if (!std::filesystem::exists(dir / f)) missing.push_back(f);
  return missing;
}

namespace {

std::string tensor_name(const ExternalTensor& t) { return t.tensor.empty() ? "(unnamed)" : "'" + t.tensor + "'"; }

// "tensor 'w'" or "tensor 'w' and 12 others".
std::string tensors_phrase(const ExternalTensor& first, size_t count) {
  return "tensor " + tensor_name(first) + (count > 1 ? " and " + std::to_string(count - 1) + " other(s)" : "");
}

}  // namespace

std::vector<std::string> OnnxFile::external_data_problems() const {
  std::vector<std::string> problems;
  const auto& tensors = graph().external_tensors;
  // Per-tensor problems: a malformed entry, or a length its dims and type contradict (ONNX Runtime
  // refuses both). At most a few are named; the rest are counted.
  constexpr size_t kNamed = 5;
  size_t tensor_problems = 0;
  auto tensor_problem = [&](std::string msg) {
    if (tensor_problems++ < kNamed) problems.push_back(std::move(msg));
  };
  std::map<std::string, std::vector<const ExternalTensor*>> by_file;
  for (const auto& t : tensors) {
    if (!t.malformed.empty()) {
      tensor_problem("tensor " + tensor_name(t) + ": " + t.malformed);
      continue;
    }
    if (t.length && t.data_bytes && *t.length != *t.data_bytes)
      tensor_problem("tensor " + tensor_name(t) + ": external data length " + std::to_string(*t.length) +
                     " differs from the " + std::to_string(*t.data_bytes) + " bytes its dims and data type need");
    by_file[t.location].push_back(&t);
  }
  if (tensor_problems > kNamed)
    problems.push_back("and " + std::to_string(tensor_problems - kNamed) +
                       " more tensor(s) with malformed external data");
  auto dir = path().parent_path();
  for (const auto& [location, list] : by_file) {
    std::string file = "external data file '" + location + "' (" + tensors_phrase(*list.front(), list.size()) + ")";
    if (!is_safe_relative_path(location)) {
      problems.push_back(
          file + " is not a plain relative path inside the model's folder (absolute or '..'); ONNX requires one");
      continue;
    }
    struct stat st {};
    if (::stat((dir / location).c_str(), &st) != 0) {
      problems.push_back(file + " is missing beside the model: " + errno_text(errno));
      continue;
    }
    if (!S_ISREG(st.st_mode)) {
      problems.push_back(file + " is not a regular file");
      continue;
    }
    uint64_t size = static_cast<uint64_t>(st.st_size);
    // The range a tensor reads: its length, else what its dims and type need (ONNX Runtime's rule).
    const ExternalTensor* worst = nullptr;
    uint64_t worst_end = 0;
    size_t beyond = 0;
    for (const ExternalTensor* t : list) {
      uint64_t n = t->length.value_or(t->data_bytes.value_or(0));
      uint64_t end = n > UINT64_MAX - t->offset ? UINT64_MAX : t->offset + n;
      if (end <= size) continue;
      ++beyond;
      if (end > worst_end) worst = t, worst_end = end;
    }
    if (worst)
      problems.push_back("external data file '" + location + "' has " + std::to_string(size) + " bytes but " +
                         tensors_phrase(*worst, beyond) + " read past its end (tensor " + tensor_name(*worst) +
                         " needs bytes " + std::to_string(worst->offset) + ".." + std::to_string(worst_end) +
                         "): the file is truncated or belongs to another model");
  }
  return problems;
}

}  // namespace modelexport::format

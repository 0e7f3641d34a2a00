#include "format/model_proto.h"

#include <charconv>
#include <cstring>
#include <functional>
#include <memory>
#include <set>

#include "modelexport/common/error.h"
#include "modelexport/common/files.h"

namespace modelexport::format {

namespace fs = std::filesystem;

namespace {

constexpr size_t kInlineLimit = (size_t{2} << 30) - (size_t{64} << 20);  // protobuf's 2 GB, with room

void for_each_graph(onnx::GraphProto& g, const std::function<void(onnx::GraphProto&)>& f) {
  f(g);
  for (auto& n : *g.mutable_node())
    for (auto& a : *n.mutable_attribute()) {
      if (a.has_g()) for_each_graph(*a.mutable_g(), f);
      for (auto& sub : *a.mutable_graphs()) for_each_graph(sub, f);
    }
}

}  // namespace

size_t element_size(int32_t data_type) {
  switch (data_type) {
    case onnx::TensorProto::COMPLEX128: return 16;
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT64:
    case onnx::TensorProto::COMPLEX64: return 8;
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::UINT32: return 4;
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16: return 2;
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL: return 1;
    default: return 0;
  }
}

onnx::ModelProto load_model_proto(const fs::path& path) {
  if (fs::file_size(path) > static_cast<uint64_t>(INT32_MAX))
    throw FormatError("'" + path.string() +
                      "' is over 2 GB in one file, beyond what protobuf parses; models this size keep their weights in "
                      "external data");
  MappedFile file(path);
  onnx::ModelProto model;
  if (!model.ParseFromFileDescriptor(file.fd()))
    throw FormatError("'" + path.string() + "' is not an ONNX model protobuf can parse");
  return model;
}

std::string external_bytes(const onnx::TensorProto& t, const fs::path& model_dir) {
  std::string location;
  uint64_t offset = 0, length = 0;
  // offset and length are decimal byte counts (onnx/external_data_helper.py writes str(int)); anything
  // else, a sign included, is refused by name (std::stoull threw for "x" and wrapped "-1" around).
  auto byte_count = [&](const std::string& key, const std::string& value) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size())
      throw FormatError("initializer '" + t.name() + "': external data " + key + " '" + value +
                        "' is not a byte count (a non-negative decimal integer)");
    return v;
  };
  for (const auto& e : t.external_data()) {
    if (e.key() == "location") location = e.value();
    if (e.key() == "offset") offset = byte_count("offset", e.value());
    if (e.key() == "length") length = byte_count("length", e.value());
  }
  fs::path file = model_dir / location;
  if (location.empty() || !fs::exists(file))
    throw FormatError("initializer '" + t.name() + "' keeps its data in '" + location +
                      "', which does not exist beside the model");
  MappedFile data(file);
  if (length == 0 && offset <= data.size()) length = data.size() - offset;
  if (offset > data.size() || length > data.size() - offset)  // offset + length could wrap around
    throw FormatError("initializer '" + t.name() + "': external data [" + std::to_string(offset) + ", +" +
                      std::to_string(length) + ") is past the end of '" + location + "'");
  return std::string(data.bytes().substr(offset, length));
}

std::vector<float> float_values(const onnx::TensorProto& t, const fs::path& model_dir) {
  size_t count = 1;
  for (auto d : t.dims()) count *= static_cast<size_t>(d);
  std::vector<float> out(count);
  if (t.data_location() == onnx::TensorProto::EXTERNAL || !t.raw_data().empty()) {
    std::string external =
        t.data_location() == onnx::TensorProto::EXTERNAL ? external_bytes(t, model_dir) : std::string();
    const std::string& raw = t.data_location() == onnx::TensorProto::EXTERNAL ? external : t.raw_data();
    if (raw.size() != count * 4)
      throw FormatError("initializer '" + t.name() + "': its data does not hold " + std::to_string(count) + " floats");
    std::memcpy(out.data(), raw.data(), count * 4);
  } else {
    if (static_cast<size_t>(t.float_data_size()) != count)
      throw FormatError("initializer '" + t.name() + "': float_data does not match its dims");
    std::copy(t.float_data().begin(), t.float_data().end(), out.begin());
  }
  return out;
}

void inline_external_data(onnx::ModelProto& model, const fs::path& model_dir) {
  for_each_graph(*model.mutable_graph(), [&](onnx::GraphProto& g) {
    for (auto& t : *g.mutable_initializer())
      if (t.data_location() == onnx::TensorProto::EXTERNAL) {
        t.set_raw_data(external_bytes(t, model_dir));
        t.clear_external_data();
        t.set_data_location(onnx::TensorProto::DEFAULT);
      }
  });
}

bool link_external_data(const onnx::ModelProto& model, const fs::path& model_dir, const fs::path& dir) {
  std::set<std::string> locations;
  auto note = [&locations](const onnx::TensorProto& t) {
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      for (const auto& e : t.external_data())
        if (e.key() == "location") locations.insert(e.value());
  };
  // Every tensor that can keep external data: initializers, sparse initializers, attribute tensors.
  std::function<void(const onnx::GraphProto&)> collect = [&](const onnx::GraphProto& g) {
    for (const auto& t : g.initializer()) note(t);
    for (const auto& sp : g.sparse_initializer()) note(sp.values()), note(sp.indices());
    for (const auto& n : g.node())
      for (const auto& a : n.attribute()) {
        if (a.has_t()) note(a.t());
        for (const auto& t : a.tensors()) note(t);
        if (a.has_g()) collect(a.g());
        for (const auto& sub : a.graphs()) collect(sub);
      }
  };
  collect(model.graph());
  std::vector<fs::path> linked;
  auto undo = [&linked] {
    std::error_code ignored;
    for (const auto& p : linked) fs::remove(p, ignored);
    return false;
  };
  for (const auto& location : locations) {
    fs::path relative = fs::path(location).lexically_normal();
    if (location.empty() || relative.is_absolute() || relative.begin()->string() == "..") return undo();
    std::error_code ec;
    fs::create_directories((dir / relative).parent_path(), ec);
    fs::create_hard_link(model_dir / relative, dir / relative, ec);
    if (ec) return undo();
    linked.push_back(dir / relative);
  }
  return true;
}

uint64_t size_with_external_data(const fs::path& model, const onnx::ModelProto& proto) {
  uint64_t size = fs::file_size(model);
  std::set<std::string> files;
  for (const auto& t : proto.graph().initializer())
    for (const auto& e : t.external_data())
      if (e.key() == "location") files.insert(e.value());
  for (const auto& f : files)
    if (fs::exists(model.parent_path() / f)) size += fs::file_size(model.parent_path() / f);
  return size;
}

void save_model_proto(onnx::ModelProto& model, const fs::path& output, bool external_data) {
  std::unique_ptr<AtomicFile> data;
  if (external_data || model.ByteSizeLong() > kInlineLimit) {
    std::string location = output.filename().string() + "_data";
    data = std::make_unique<AtomicFile>(output.parent_path() / location);
    uint64_t offset = 0;
    static const std::string zeros(4096, '\0');
    for_each_graph(*model.mutable_graph(), [&](onnx::GraphProto& g) {
      for (auto& t : *g.mutable_initializer()) {
        if (t.raw_data().size() < 1024) continue;
        if (offset % 4096) {
          uint64_t pad = 4096 - offset % 4096;
          data->write(std::string_view(zeros).substr(0, pad));
          offset += pad;
        }
        data->write(t.raw_data());
        auto entry = [&](const char* key, const std::string& value) {
          auto* e = t.add_external_data();
          e->set_key(key);
          e->set_value(value);
        };
        entry("location", location);
        entry("offset", std::to_string(offset));
        entry("length", std::to_string(t.raw_data().size()));
        offset += t.raw_data().size();
        t.clear_raw_data();
        t.set_data_location(onnx::TensorProto::EXTERNAL);
      }
    });
  }
  std::string bytes;
  model.SerializeToString(&bytes);
  AtomicFile out(output);
  out.write(bytes);
  if (data) data->commit();
  out.commit();
}

}  // namespace modelexport::format

// Factories of the dense image pipelines (internal): object-detection (object_detection.cc) and
// image-segmentation (image_segmentation.cc), background-removal (background_removal.cc), both on ImagePipeline
// (image_pipeline.h).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/runtime/pipeline.h"

namespace modelexport::runtime {

std::unique_ptr<Pipeline> make_object_detection(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_image_segmentation(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_background_removal(AutoModel model, AutoProcessor processor);

// The PNG files of a batch, written once every input has succeeded: creates `dir`, then each file atomically.
inline void write_output_files(const std::filesystem::path& dir,
                               const std::vector<std::pair<std::filesystem::path, std::string>>& files) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw IoError("cannot create the output folder '" + dir.string() + "': " + ec.message());
  for (const auto& [path, bytes] : files) write_file_atomic(path, bytes);
}

}  // namespace modelexport::runtime

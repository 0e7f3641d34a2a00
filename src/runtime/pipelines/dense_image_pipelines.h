// Factories of the dense image pipelines (internal): object-detection (object_detection.cc) and
// image-segmentation (image_segmentation.cc), background-removal (background_removal.cc), both on ImagePipeline
// (image_pipeline.h).
#pragma once

#include <cerrno>
#include <cstdio>
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

// The PNG files of a run (each path inside `dir`), written as one set once every input has succeeded:
// all are written into a staging folder (TemporaryFolder, beside or inside `dir`) first, then moved
// into place — the staging folder renamed to `dir` when `dir` does not exist yet (its parent folders
// are created), else each file renamed into `dir`, the ones already moved removed again when a rename
// fails. A failure at any point leaves no file of the set behind (a same-named older file that one of
// them had already replaced goes with it). Throws IoError naming the folder or file.
inline void write_output_files(const std::filesystem::path& output_dir,
                               const std::vector<std::pair<std::filesystem::path, std::string>>& files) {
  namespace fs = std::filesystem;
  fs::path dir = output_dir;
  if (!dir.has_filename() && dir.has_parent_path()) dir = dir.parent_path();  // "out/" names "out"
  std::error_code ec;
  const bool existed = fs::is_directory(dir, ec);
  fs::path parent = existed ? dir : dir.parent_path();
  if (parent.empty()) parent = ".";
  if (!existed) {
    fs::create_directories(parent, ec);
    if (ec) throw IoError("cannot create the output folder '" + parent.string() + "': " + ec.message());
  }
  TemporaryFolder staging(parent, dir.filename().string(), "writing");  // removed, with its files, on failure
  for (const auto& [path, bytes] : files) write_file_atomic(staging.path() / path.filename(), bytes);
  if (!existed) {
    if (std::rename(staging.path().c_str(), dir.c_str()) != 0)
      throw IoError("cannot create the output folder '" + dir.string() + "': " + errno_text(errno));
    staging.release();
    return;
  }
  std::vector<fs::path> moved;
  for (const auto& [path, bytes] : files) {
    const fs::path dest = dir / path.filename();
    if (std::rename((staging.path() / path.filename()).c_str(), dest.c_str()) != 0) {
      const int err = errno;
      for (const auto& m : moved) fs::remove(m, ec);
      throw IoError("cannot write '" + dest.string() + "': " + errno_text(err));
    }
    moved.push_back(dest);
  }
}

}  // namespace modelexport::runtime

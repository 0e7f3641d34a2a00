// Factories of the dense image pipelines (internal): object-detection (object_detection.cc) and
// image-segmentation (image_segmentation.cc), background-removal (background_removal.cc), both on ImagePipeline
// (image_pipeline.h).
#pragma once

#include <memory>

#include "modelexport/runtime/pipeline.h"

namespace modelexport::runtime {

std::unique_ptr<Pipeline> make_object_detection(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_image_segmentation(AutoModel model, AutoProcessor processor);
std::unique_ptr<Pipeline> make_background_removal(AutoModel model, AutoProcessor processor);

}  // namespace modelexport::runtime

// modelexport.inference's compiled half: Pipeline (runtime::pipeline; each result is the JSON text the
// CLI's `run --json` prints), Model (runtime::AutoModel on numpy arrays) and Processor
// (runtime::AutoProcessor: the pipeline's tokenization, as model input tensors). The GIL is released
// while ONNX Runtime runs and while batches are tokenized; every object is immutable, so one may be
// used from several Python threads at once.
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "binding.h"
#include "modelexport/common/error.h"
#include "modelexport/metadata/encoder_decoder_set.h"
#include "modelexport/processors/audio.h"
#include "modelexport/processors/chat_template.h"
#include "modelexport/processors/image.h"
#include "modelexport/runtime/auto_model.h"
#include "modelexport/runtime/auto_processor.h"
#include "modelexport/runtime/pipeline.h"
#include "modelexport/runtime/session_info.h"
#include "results.h"
#include "tensors.h"

namespace py = pybind11;

namespace modelexport::python {
namespace {

using runtime::AutoModel;
using runtime::AutoProcessor;
using runtime::GenerationOptions;
using runtime::Pipeline;
using runtime::PipelineInput;
using runtime::PipelineOptions;
using runtime::SessionOptions;
using runtime::SpeechRecognitionOptions;
using runtime::Tensor;
using runtime::TensorDesc;

py::list describe(const std::vector<TensorDesc>& descs) {
  py::list out;
  for (const auto& d : descs) {
    py::list shape;
    for (size_t i = 0; i < d.shape.size(); ++i) {
      if (d.shape[i] >= 0) shape.append(d.shape[i]);
      else if (i < d.symbolic.size() && !d.symbolic[i].empty()) shape.append(d.symbolic[i]);
      else shape.append(py::none());
    }
    py::dict io;
    io["name"] = d.name;
    io["type"] = d.elem_type;
    io["shape"] = shape;
    out.append(io);
  }
  return out;
}

py::dict to_numpy_map(std::map<std::string, Tensor>&& tensors, const std::vector<TensorDesc>& descs) {
  py::dict out;
  for (auto& [name, tensor] : tensors) {
    std::string type;
    for (const auto& d : descs)
      if (d.name == name) type = d.elem_type;
    out[py::str(name)] = to_numpy(std::move(tensor), type);
  }
  return out;
}

// Model input tensors for these texts (and pairs), as the pipelines make them.
py::dict encode(const AutoProcessor& p, const std::vector<std::string>& texts, const std::vector<std::string>& pairs) {
  std::map<std::string, Tensor> inputs;
  {
    py::gil_scoped_release unlocked;
    std::vector<processors::Encoding> encodings;
    if (pairs.empty()) {
      encodings = p.encode(texts);
    } else {
      if (pairs.size() != texts.size())
        throw UsageError("text_pair: " + std::to_string(pairs.size()) + " pairs for " + std::to_string(texts.size()) +
                         " texts (expected one pair per text)");
      std::vector<std::pair<std::string, std::string>> both;
      for (size_t i = 0; i < texts.size(); ++i) both.emplace_back(texts[i], pairs[i]);
      encodings = p.encode_pairs(both);
    }
    std::vector<const processors::Encoding*> batch;
    for (const auto& e : encodings) batch.push_back(&e);
    inputs = p.to_inputs(batch);
  }
  return to_numpy_map(std::move(inputs), {});
}

}  // namespace

void bind_inference(py::module_& m) {
  py::class_<SessionOptions>(m, "SessionOptions", "ONNX Runtime session settings (runtime/auto_model.h).")
      .def(py::init<>())
      .def_readwrite("intra_op_threads", &SessionOptions::intra_op_threads)
      .def_readwrite("inter_op_threads", &SessionOptions::inter_op_threads)
      .def_readwrite("graph_optimization_level", &SessionOptions::graph_optimization_level)
      .def_readwrite("exact_int8_matmul", &SessionOptions::exact_int8_matmul)
      .def_readwrite("optimized_model_path", &SessionOptions::optimized_model_path)
      .def_readwrite("execution_providers", &SessionOptions::execution_providers);
  m.def("available_execution_providers", &runtime::available_execution_providers);
  m.def("onnxruntime_version", &runtime::onnxruntime_version);

  // Keyword fields as PipelineInput names them. samples: a 1-D float32 array (copied: the input owns
  // its samples); messages: the chat as JSON text.
  py::class_<PipelineInput>(m, "PipelineInput")
      .def(py::init([](std::string text, std::string text_pair, std::string question, std::string context,
                       std::vector<std::string> labels, std::string messages, std::string audio,
                       std::optional<py::array_t<float, py::array::c_style | py::array::forcecast>> samples,
                       int sampling_rate, std::string image,
                       std::optional<py::array_t<uint8_t, py::array::c_style | py::array::forcecast>> pixels) {
             PipelineInput in;
             in.text = std::move(text), in.text_pair = std::move(text_pair);
             in.question = std::move(question), in.context = std::move(context);
             in.labels = std::move(labels), in.messages = std::move(messages), in.audio = std::move(audio);
             if (samples) in.samples.assign(samples->data(), samples->data() + samples->size());
             in.sampling_rate = sampling_rate;
             in.image = std::move(image);
             if (pixels) in.decoded_image = image_from_numpy(*pixels);
             return in;
           }),
           py::arg("text") = "", py::arg("text_pair") = "", py::arg("question") = "", py::arg("context") = "",
           py::arg("labels") = std::vector<std::string>{}, py::arg("messages") = "", py::arg("audio") = "",
           py::arg("samples") = py::none(), py::arg("sampling_rate") = 0, py::arg("image") = "",
           py::arg("pixels") = py::none());

  py::enum_<runtime::EarlyStopping>(m, "EarlyStopping")
      .value("false", runtime::EarlyStopping::kFalse)
      .value("true", runtime::EarlyStopping::kTrue)
      .value("never", runtime::EarlyStopping::kNever);
  // Every field optional (None: the model's own setting), as runtime/generation.h.
  py::class_<GenerationOptions>(m, "GenerationOptions", "Generation settings over the model's (runtime/generation.h).")
      .def(py::init<>())
      .def_readwrite("max_new_tokens", &GenerationOptions::max_new_tokens)
      .def_readwrite("max_length", &GenerationOptions::max_length)
      .def_readwrite("min_new_tokens", &GenerationOptions::min_new_tokens)
      .def_readwrite("min_length", &GenerationOptions::min_length)
      .def_readwrite("do_sample", &GenerationOptions::do_sample)
      .def_readwrite("num_beams", &GenerationOptions::num_beams)
      .def_readwrite("num_return_sequences", &GenerationOptions::num_return_sequences)
      .def_readwrite("temperature", &GenerationOptions::temperature)
      .def_readwrite("top_p", &GenerationOptions::top_p)
      .def_readwrite("min_p", &GenerationOptions::min_p)
      .def_readwrite("typical_p", &GenerationOptions::typical_p)
      .def_readwrite("top_k", &GenerationOptions::top_k)
      .def_readwrite("repetition_penalty", &GenerationOptions::repetition_penalty)
      .def_readwrite("no_repeat_ngram_size", &GenerationOptions::no_repeat_ngram_size)
      .def_readwrite("encoder_no_repeat_ngram_size", &GenerationOptions::encoder_no_repeat_ngram_size)
      .def_readwrite("bad_words_ids", &GenerationOptions::bad_words_ids)
      .def_readwrite("suppress_tokens", &GenerationOptions::suppress_tokens)
      .def_readwrite("begin_suppress_tokens", &GenerationOptions::begin_suppress_tokens)
      .def_readwrite("forced_bos_token_id", &GenerationOptions::forced_bos_token_id)
      .def_readwrite("forced_eos_token_id", &GenerationOptions::forced_eos_token_id)
      .def_readwrite("forced_decoder_ids", &GenerationOptions::forced_decoder_ids)
      .def_readwrite("length_penalty", &GenerationOptions::length_penalty)
      .def_readwrite("early_stopping", &GenerationOptions::early_stopping)
      .def_readwrite("eos_token_id", &GenerationOptions::eos_token_id)
      .def_readwrite("pad_token_id", &GenerationOptions::pad_token_id)
      .def_readwrite("bos_token_id", &GenerationOptions::bos_token_id)
      .def_readwrite("decoder_start_token_id", &GenerationOptions::decoder_start_token_id)
      .def_readwrite("stop_strings", &GenerationOptions::stop_strings)
      .def_readwrite("seed", &GenerationOptions::seed);

  py::class_<SpeechRecognitionOptions>(m, "SpeechRecognitionOptions",
                                       "automatic-speech-recognition options (runtime/pipeline.h), Whisper's.")
      .def(py::init<>())
      .def_readwrite("language", &SpeechRecognitionOptions::language)
      .def_readwrite("task", &SpeechRecognitionOptions::task)
      .def_readwrite("return_timestamps", &SpeechRecognitionOptions::return_timestamps)
      .def_readwrite("return_language", &SpeechRecognitionOptions::return_language)
      .def_readwrite("prompt", &SpeechRecognitionOptions::prompt)
      .def_readwrite("prompt_ids", &SpeechRecognitionOptions::prompt_ids)
      .def_readwrite("prompt_condition_type", &SpeechRecognitionOptions::prompt_condition_type)
      .def_readwrite("condition_on_prev_tokens", &SpeechRecognitionOptions::condition_on_prev_tokens)
      .def_readwrite("temperatures", &SpeechRecognitionOptions::temperatures)
      .def_readwrite("compression_ratio_threshold", &SpeechRecognitionOptions::compression_ratio_threshold)
      .def_readwrite("logprob_threshold", &SpeechRecognitionOptions::logprob_threshold)
      .def_readwrite("no_speech_threshold", &SpeechRecognitionOptions::no_speech_threshold)
      .def_readwrite("chunk_length_s", &SpeechRecognitionOptions::chunk_length_s)
      .def_readwrite("stride_length_s", &SpeechRecognitionOptions::stride_length_s);

  py::class_<PipelineOptions>(m, "PipelineOptions", "Task options (runtime/pipeline.h); defaults are transformers'.")
      .def(py::init<>())
      .def_readwrite("top_k", &PipelineOptions::top_k)
      .def_readwrite("batch_size", &PipelineOptions::batch_size)
      .def_readwrite("function_to_apply", &PipelineOptions::function_to_apply)
      .def_readwrite("pooling", &PipelineOptions::pooling)
      .def_readwrite("normalize", &PipelineOptions::normalize)
      .def_readwrite("aggregation_strategy", &PipelineOptions::aggregation_strategy)
      .def_readwrite("ignore_labels", &PipelineOptions::ignore_labels)
      .def_readwrite("targets", &PipelineOptions::targets)
      .def_readwrite("doc_stride", &PipelineOptions::doc_stride)
      .def_readwrite("max_answer_len", &PipelineOptions::max_answer_len)
      .def_readwrite("max_seq_len", &PipelineOptions::max_seq_len)
      .def_readwrite("handle_impossible_answer", &PipelineOptions::handle_impossible_answer)
      .def_readwrite("hypothesis_template", &PipelineOptions::hypothesis_template)
      .def_readwrite("multi_label", &PipelineOptions::multi_label)
      .def_readwrite("generation", &PipelineOptions::generation)
      .def_readwrite("return_full_text", &PipelineOptions::return_full_text)
      .def_readwrite("chat_template_variables", &PipelineOptions::chat_template_variables)
      .def_readwrite("src_lang", &PipelineOptions::src_lang)
      .def_readwrite("tgt_lang", &PipelineOptions::tgt_lang)
      .def_readwrite("max_image_pixels", &PipelineOptions::max_image_pixels)
      .def_readwrite("image_threads", &PipelineOptions::image_threads)
      .def_readwrite("pool", &PipelineOptions::pool)
      .def_readwrite("image_hypothesis_template", &PipelineOptions::image_hypothesis_template)
      .def_readwrite("threshold", &PipelineOptions::threshold)
      .def_property(
          "output_dir", [](const PipelineOptions& o) { return o.output_dir.string(); },
          [](PipelineOptions& o, const std::string& dir) { o.output_dir = dir; })
      .def_readwrite("speech", &PipelineOptions::speech);

  // An audio file's bytes → mono float32 samples at `sampling_rate` (processors::decode_audio, FFmpeg).
  m.def(
      "decode_audio",
      [](const py::bytes& bytes, int sampling_rate) {
        std::string data = bytes;
        processors::Audio audio;
        {
          py::gil_scoped_release unlocked;
          audio = processors::decode_audio(data, sampling_rate, "<bytes>");
        }
        const auto n = static_cast<int64_t>(audio.samples.size());
        return to_numpy(Tensor::float32({n}, std::move(audio.samples)), "float32");
      },
      py::arg("data"), py::arg("sampling_rate"));
  // An image file's bytes → [height, width, 3] uint8 RGB (processors::decode_image: Pillow's pixels,
  // EXIF orientation applied as transformers' load_image does).
  m.def(
      "decode_image",
      [](const py::bytes& bytes) {
        std::string data = bytes;
        processors::Image image;
        {
          py::gil_scoped_release unlocked;
          image = processors::decode_image(data, "<bytes>");
        }
        return image_to_numpy(std::move(image));
      },
      py::arg("data"));
  // Mono samples from one rate to another, as a decoded file is resampled (processors::convert_samples).
  m.def(
      "resample",
      [](const py::array_t<float, py::array::c_style | py::array::forcecast>& samples, int from_rate, int to_rate) {
        processors::Audio audio;
        {
          py::gil_scoped_release unlocked;
          audio =
              processors::convert_samples(samples.data(), static_cast<size_t>(samples.size()), 1, from_rate, to_rate);
        }
        const auto n = static_cast<int64_t>(audio.samples.size());
        return to_numpy(Tensor::float32({n}, std::move(audio.samples)), "float32");
      },
      py::arg("samples"), py::arg("from_rate"), py::arg("to_rate"));
  m.def(
      "load_image",  // processors::load_image: an image file → [height, width, 3] uint8 RGB
      [](const std::string& path, uint64_t max_pixels) {
        processors::ImageDecodeOptions options;
        options.max_pixels = max_pixels;
        processors::Image image;
        {
          py::gil_scoped_release unlocked;
          image = processors::load_image(path, options);
        }
        return image_to_numpy(std::move(image));
      },
      py::arg("path"), py::arg("max_pixels"));

  // transformers' apply_chat_template(tokenize=False) (processors/chat_template.h); immutable.
  py::class_<processors::ChatTemplate, std::shared_ptr<processors::ChatTemplate>>(m, "ChatTemplate")
      .def_static(
          "from_source",
          [](std::string source, std::string special_tokens_json) {
            return std::make_shared<processors::ChatTemplate>(
                processors::ChatTemplate::from_source(std::move(source), std::move(special_tokens_json)));
          },
          py::arg("source"), py::arg("special_tokens_json"))
      .def_property_readonly("source", &processors::ChatTemplate::source)
      .def_property_readonly("special_tokens_json", &processors::ChatTemplate::special_tokens_json)
      .def(
          "render",
          [](const processors::ChatTemplate& t, const std::string& variables_json,
             const std::optional<std::string>& now) {
            processors::RenderOptions options;
            options.now = now;
            py::gil_scoped_release unlocked;
            return t.render(variables_json, options);
          },
          py::arg("variables_json"), py::arg("now") = py::none());

  m.def("pipeline_tasks", &runtime::pipeline_tasks);
  py::class_<Pipeline, std::unique_ptr<Pipeline>>(m, "Pipeline")
      .def_static(
          "from_model",
          [](const std::string& model, const std::string& task, const SessionOptions& session) {
            py::gil_scoped_release unlocked;
            return runtime::pipeline(model, task, session);
          },
          py::arg("model"), py::arg("task"), py::arg("session"))
      .def_static(
          "from_parts",
          [](const std::string& model, const SessionOptions& session, const AutoProcessor& processor,
             const std::string& task) {
            py::gil_scoped_release unlocked;
            return runtime::pipeline(AutoModel::from_model(model, session), processor, task);
          },
          py::arg("model"), py::arg("session"), py::arg("processor"), py::arg("task"))
      .def_property_readonly("task", &Pipeline::task)
      .def_property_readonly("sampling_rate",  // audio pipelines: the rate the feature extractor takes
                             [](const Pipeline& p) { return p.processor().feature_extractor().sampling_rate(); })
      .def_property_readonly("warnings", [](const Pipeline& p) { return p.processor().files().warnings; })
      .def_property_readonly("feature_extractor_type",  // audio pipelines: "WhisperFeatureExtractor", ...
                             [](const Pipeline& p) { return p.processor().feature_extractor().type(); })
      .def(
          "run",
          [](const Pipeline& p, const std::vector<PipelineInput>& inputs, const PipelineOptions& options) {
            py::gil_scoped_release unlocked;
            return p.run(inputs, options);
          },
          py::arg("inputs"), py::arg("options"))
      .def(
          "run_texts",  // run_parsed for {.text = ...} inputs, without a PipelineInput object per text
          [](const Pipeline& p, std::vector<std::string> texts, const PipelineOptions& options) {
            std::vector<PipelineInput> inputs(texts.size());
            for (size_t i = 0; i < texts.size(); ++i) inputs[i].text = std::move(texts[i]);
            return run_to_python(p, inputs, options);
          },
          py::arg("texts"), py::arg("options"))
      .def(
          "call_text",  // one text → its result as Python objects (the per-call fast path)
          [](const Pipeline& p, std::string text, const PipelineOptions& options) {
            std::vector<PipelineInput> inputs(1);
            inputs[0].text = std::move(text);
            return py::object(run_to_python(p, inputs, options)[0]);
          },
          py::arg("text"), py::arg("options"))
      .def(
          "run_parsed",  // run() with each result as Python objects
          [](const Pipeline& p, const std::vector<PipelineInput>& inputs, const PipelineOptions& options) {
            return run_to_python(p, inputs, options);
          },
          py::arg("inputs"), py::arg("options"))
      .def(
          "run_noted",  // run() that also returns the pipeline's notes; on_text: called with each streamed piece
          [](const Pipeline& p, const std::vector<PipelineInput>& inputs, const PipelineOptions& options,
             const std::optional<py::function>& on_text) {
            PipelineOptions o = options;
            std::vector<std::string> notes;
            std::mutex notes_lock;
            o.on_note = [&](std::string_view note) {
              std::lock_guard<std::mutex> hold(notes_lock);
              notes.emplace_back(note);
            };
            if (on_text)
              o.on_text = [&](std::string_view piece) {
                py::gil_scoped_acquire locked;
                (*on_text)(py::str(piece.data(), piece.size()));
              };
            std::vector<std::string> results;
            {
              py::gil_scoped_release unlocked;
              results = p.run(inputs, o);
            }
            return py::make_tuple(results, notes);
          },
          py::arg("inputs"), py::arg("options"), py::arg("on_text") = py::none());

  py::class_<AutoModel>(m, "Model")
      .def_static(
          "from_model",
          [](const std::string& model, const SessionOptions& session) {
            py::gil_scoped_release unlocked;
            return AutoModel::from_model(model, session);
          },
          py::arg("model"), py::arg("session"))
      .def_property_readonly("inputs", [](const AutoModel& a) { return describe(a.inputs()); })
      .def_property_readonly("outputs", [](const AutoModel& a) { return describe(a.outputs()); })
      .def(
          "run",
          [](const AutoModel& a, const py::dict& arrays) {
            std::map<std::string, Tensor> inputs;
            for (auto [name, value] : arrays) {
              std::string key = py::str(name);
              inputs.emplace(key, from_numpy(py::array::ensure(value), key));
            }
            std::map<std::string, Tensor> outputs;
            {
              py::gil_scoped_release unlocked;
              outputs = a.run(inputs);
            }
            return to_numpy_map(std::move(outputs), a.outputs());
          },
          py::arg("inputs"));

  py::class_<AutoProcessor>(m, "Processor")
      .def_static(
          "from_model",
          [](const std::string& model) {
            py::gil_scoped_release unlocked;
            // An encoder-decoder set (its folder or any file of it): the encoder's processor, as its pipeline.
            std::string file = model;
            if (metadata::is_encoder_decoder_set(model))
              file = metadata::find_encoder_decoder_set(model).encoder.string();
            // A decoder's cache and generation-control inputs are fed by the generation runner, not the
            // processor (the rule runtime::pipeline() applies).
            std::vector<TensorDesc> inputs;
            for (auto& in : runtime::describe_session(file).inputs)
              if (in.name.rfind("past", 0) != 0 && in.name != "num_logits_to_keep" && in.name != "logits_to_keep" &&
                  in.name != "use_cache_branch")
                inputs.push_back(std::move(in));
            return AutoProcessor::from_model(file, inputs);
          },
          py::arg("model"))
      .def_property_readonly("modality",
                             [](const AutoProcessor& p) {
                               switch (p.modality()) {
                                 case runtime::Modality::kImage: return "image";
                                 case runtime::Modality::kAudio: return "audio";
                                 default: return "text";
                               }
                             })
      .def_property_readonly("warnings", [](const AutoProcessor& p) { return p.files().warnings; })
      .def_property_readonly("input_mapping", &AutoProcessor::input_mapping)
      .def_property_readonly("max_length", &AutoProcessor::max_length)
      .def_property_readonly("sampling_rate",
                             [](const AutoProcessor& p) { return p.feature_extractor().sampling_rate(); })
      .def_property_readonly("has_tokenizer", &AutoProcessor::has_tokenizer)
      .def("special_token_id", &AutoProcessor::special_token_id, py::arg("role"))
      .def_property_readonly("all_special_ids", &AutoProcessor::all_special_ids)
      .def("token_to_id", [](const AutoProcessor& p, const std::string& t) { return p.tokenizer().token_to_id(t); })
      .def("id_to_token", [](const AutoProcessor& p, int32_t id) { return p.tokenizer().id_to_token(id); })
      .def("encode", &encode, py::arg("texts"), py::arg("pairs"))
      .def(
          "encode_ids",  // one text's ids, as tokenizer(text, add_special_tokens=...)["input_ids"]
          [](const AutoProcessor& p, const std::string& text, bool add_special_tokens) {
            std::vector<int32_t> ids;
            {
              py::gil_scoped_release unlocked;
              ids = p.tokenizer().encode(text, add_special_tokens).ids;
            }
            return ids;
          },
          py::arg("text"), py::arg("add_special_tokens"))
      .def(
          "chat_template",  // the template transformers picks (name: a named one from tokenizer_config.json)
          [](const AutoProcessor& p, const std::string& name) {
            return std::make_shared<processors::ChatTemplate>(
                processors::ChatTemplate::from_model_files(p.files(), name));
          },
          py::arg("name"))
      .def(
          "image_inputs",  // pixel_values (and pixel_mask) for [height, width, 3] uint8 RGB images
          [](const AutoProcessor& p,
             const std::vector<py::array_t<uint8_t, py::array::c_style | py::array::forcecast>>& arrays) {
            std::vector<processors::Image> images;
            for (const auto& a : arrays) images.push_back(image_from_numpy(a));
            std::map<std::string, Tensor> inputs;
            {
              py::gil_scoped_release unlocked;
              inputs = p.image_inputs(images);
            }
            return to_numpy_map(std::move(inputs), {});
          },
          py::arg("images"))
      .def(
          "audio_inputs",  // the feature extractor's model inputs for one recording at sampling_rate
          [](const AutoProcessor& p, const py::array_t<float, py::array::c_style | py::array::forcecast>& samples) {
            std::map<std::string, Tensor> inputs;
            {
              py::gil_scoped_release unlocked;
              inputs = p.audio_inputs(p.audio_features(samples.data(), static_cast<size_t>(samples.size())));
            }
            return to_numpy_map(std::move(inputs), {});
          },
          py::arg("samples"))
      .def(
          "decode",
          [](const AutoProcessor& p, const std::vector<int32_t>& ids, bool skip) {
            py::gil_scoped_release unlocked;
            return p.decode(ids, skip);
          },
          py::arg("ids"), py::arg("skip_special_tokens"));
}

}  // namespace modelexport::python

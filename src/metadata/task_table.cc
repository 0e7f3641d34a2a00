// Facts from the transformers auto-model mappings (modeling_auto.py) and transformers.js
// (src/models/registry.js, src/pipelines/index.js); the tables are ours.
#include "metadata/task_table.h"

#include <algorithm>

namespace modelexport::metadata::task_table {

const std::vector<Pair>& exact_architectures() {
  static const std::vector<Pair> t = {
      // Dual encoders: the pipeline is zero-shot classification against text prompts.
      {"CLIPModel", "zero-shot-image-classification"}, {"SiglipModel", "zero-shot-image-classification"},
      {"Siglip2Model", "zero-shot-image-classification"}, {"ChineseCLIPModel", "zero-shot-image-classification"},
      {"AltCLIPModel", "zero-shot-image-classification"}, {"AlignModel", "zero-shot-image-classification"},
      {"JinaCLIPModel", "zero-shot-image-classification"}, {"OwlViTModel", "zero-shot-image-classification"},
      {"Owlv2Model", "zero-shot-image-classification"}, {"BlipModel", "zero-shot-image-classification"},
      {"ClapModel", "zero-shot-audio-classification"},
      {"CLIPVisionModel", "image-feature-extraction"}, {"CLIPVisionModelWithProjection", "image-feature-extraction"},
      {"SiglipVisionModel", "image-feature-extraction"}, {"JinaCLIPVisionModel", "image-feature-extraction"},
      {"ClapAudioModelWithProjection", "feature-extraction"},
      // Promptable segmentation.
      {"SamModel", "mask-generation"}, {"Sam2Model", "mask-generation"}, {"SlimSamModel", "mask-generation"},
      {"EdgeTamModel", "mask-generation"}, {"Sam3TrackerModel", "mask-generation"},
      // Open-vocabulary detection heads are named ForObjectDetection.
      {"OwlViTForObjectDetection", "zero-shot-object-detection"}, {"Owlv2ForObjectDetection", "zero-shot-object-detection"},
      {"GroundingDinoForObjectDetection", "zero-shot-object-detection"}, {"OmDetTurboForObjectDetection", "zero-shot-object-detection"},
      // Encoder-decoder wrappers.
      {"VisionEncoderDecoderModel", "image-to-text"}, {"SpeechEncoderDecoderModel", "automatic-speech-recognition"},
      {"EncoderDecoderModel", "text2text-generation"},
      // Translation models.
      {"MarianMTModel", "translation"}, {"FSMTForConditionalGeneration", "translation"},
      {"M2M100ForConditionalGeneration", "translation"}, {"NllbMoeForConditionalGeneration", "translation"},
      {"T5WithLMHeadModel", "text2text-generation"},
      // Speech.
      {"WhisperForConditionalGeneration", "automatic-speech-recognition"},
      {"Speech2TextForConditionalGeneration", "automatic-speech-recognition"},
      {"SpeechT5ForSpeechToText", "automatic-speech-recognition"},
      {"MoonshineForConditionalGeneration", "automatic-speech-recognition"},
      {"LiteWhisperForConditionalGeneration", "automatic-speech-recognition"},
      {"SeamlessM4TForSpeechToText", "automatic-speech-recognition"},
      {"SeamlessM4Tv2ForSpeechToText", "automatic-speech-recognition"},
      {"SpeechT5ForTextToSpeech", "text-to-audio"}, {"VitsModel", "text-to-audio"}, {"BarkModel", "text-to-audio"},
      {"MusicgenForConditionalGeneration", "text-to-audio"}, {"FastSpeech2ConformerModel", "text-to-audio"},
      {"SupertonicForConditionalGeneration", "text-to-audio"}, {"ChatterboxModel", "text-to-audio"},
      // Captioning / OCR (vision encoder + text decoder).
      {"BlipForConditionalGeneration", "image-to-text"}, {"Blip2ForConditionalGeneration", "image-to-text"},
      {"GitForCausalLM", "image-to-text"}, {"Pix2StructForConditionalGeneration", "image-to-text"},
      {"Kosmos2ForConditionalGeneration", "image-to-text"}, 
{"BlipForQuestionAnswering", "visual-question-answering"},
      {"ViltForQuestionAnswering", "visual-question-answering"},
      // Question answering over documents and tables.
      {"LayoutLMForQuestionAnswering", "document-question-answering"},
      {"LayoutLMv2ForQuestionAnswering", "document-question-answering"},
      {"LayoutLMv3ForQuestionAnswering", "document-question-answering"},
      {"TapasForQuestionAnswering", "table-question-answering"},
      // Image matting and segmentation-like heads without the usual suffix.
      {"VitMatteForImageMatting", "image-segmentation"}, {"Swin2SRForImageSuperResolution", "image-to-image"},
      {"DetrForSegmentation", "image-segmentation"},
      // Vision-language models that generate text from images and text.
      {"MultiModalityCausalLM", "image-text-to-text"}, {"LlavaQwen2ForCausalLM", "image-text-to-text"},
      // XLM's LM head is a masked-LM head; MGP-STR reads text in images; HiFi-GAN is a TTS vocoder.
      {"XLMWithLMHeadModel", "fill-mask"}, {"MgpstrForSceneTextRecognition", "image-to-text"},
      {"SpeechT5HifiGan", "text-to-audio"},
  };
  return t;
}

const std::vector<Pair>& architecture_suffixes() {
  static const std::vector<Pair> t = {
      {"ForDocumentQuestionAnswering", "document-question-answering"},
      {"ForVisualQuestionAnswering", "visual-question-answering"},
      {"ForTableQuestionAnswering", "table-question-answering"},
      {"ForQuestionAnswering", "question-answering"},
      {"ForZeroShotImageClassification", "zero-shot-image-classification"},
      {"ForImageClassificationWithTeacher", "image-classification"},
      {"ForImageClassification", "image-classification"},
      {"ForVideoClassification", "video-classification"},
      {"ForAudioClassification", "audio-classification"},
      {"ForAudioFrameClassification", "audio-classification"},
      {"ForSequenceClassification", "text-classification"},
      {"ForNextSentencePrediction", "text-classification"},
      {"ForTokenClassification", "token-classification"},
      {"ForMultipleChoice", "multiple-choice"},
      {"ForMaskedLM", "fill-mask"},
      {"ForPreTraining", "@pretraining"},
      {"ForCausalLM", "text-generation"},
      {"LMHeadModel", "text-generation"},
      {"ForConditionalGeneration", "@seq2seq"},
      {"ForSeq2SeqLM", "@seq2seq"},
      {"MTModel", "translation"},
      {"ForObjectDetection", "object-detection"},
      {"ForSemanticSegmentation", "image-segmentation"},
      {"ForImageSegmentation", "image-segmentation"},
      {"ForUniversalSegmentation", "image-segmentation"},
      {"ForInstanceSegmentation", "image-segmentation"},
      {"ForPanopticSegmentation", "image-segmentation"},
      {"ForDepthEstimation", "depth-estimation"},
      {"ForNormalEstimation", "depth-estimation"},
      {"ForKeypointDetection", "keypoint-detection"},
      {"ForPoseEstimation", "keypoint-detection"},
      {"ForMaskGeneration", "mask-generation"},
      {"ForCTC", "automatic-speech-recognition"},
      {"ForSpeechSeq2Seq", "automatic-speech-recognition"},
      {"ForSpeechToText", "automatic-speech-recognition"},
      {"ForTextToSpeech", "text-to-audio"},
      {"ForTextToWaveform", "text-to-audio"},
      {"ForTextToSpectrogram", "text-to-audio"},
      {"ForImageSuperResolution", "image-to-image"},
      {"ForImageToImage", "image-to-image"},
      {"ForVision2Seq", "image-to-text"},
      {"ForImageTextToText", "image-text-to-text"},
      {"ForXVector", "feature-extraction"},
      {"ForPrediction", "time-series-forecasting"},
      {"ModelWithProjection", "@base"},
      {"Model", "@base"},
  };
  return t;
}

const std::vector<Pair>& model_types() {
  static const std::vector<Pair> t = {
      {"bert", "feature-extraction"}, {"roberta", "feature-extraction"}, {"xlm-roberta", "feature-extraction"},
      {"distilbert", "feature-extraction"}, {"albert", "feature-extraction"}, {"electra", "feature-extraction"},
      {"deberta", "feature-extraction"}, {"deberta-v2", "feature-extraction"}, {"mpnet", "feature-extraction"},
      {"modernbert", "feature-extraction"}, {"nomic_bert", "feature-extraction"}, {"camembert", "feature-extraction"},
      {"gpt2", "text-generation"}, {"gptj", "text-generation"}, {"gpt_neo", "text-generation"},
      {"gpt_neox", "text-generation"}, {"llama", "text-generation"}, {"mistral", "text-generation"},
      {"mixtral", "text-generation"}, {"qwen2", "text-generation"}, {"qwen3", "text-generation"},
      {"phi", "text-generation"}, {"phi3", "text-generation"}, {"gemma", "text-generation"},
      {"gemma2", "text-generation"}, {"gemma3_text", "text-generation"}, {"falcon", "text-generation"},
      {"opt", "text-generation"}, {"bloom", "text-generation"}, {"smollm3", "text-generation"},
      {"granite", "text-generation"}, {"olmo", "text-generation"}, {"stablelm", "text-generation"},
      {"lfm2", "text-generation"}, {"codegen", "text-generation"}, {"starcoder2", "text-generation"},
      {"t5", "text2text-generation"}, {"mt5", "text2text-generation"}, {"bart", "text2text-generation"},
      {"mbart", "text2text-generation"}, {"pegasus", "text2text-generation"}, {"longt5", "text2text-generation"},
      {"marian", "translation"}, {"m2m_100", "translation"}, {"nllb-moe", "translation"}, {"fsmt", "translation"},
      {"whisper", "automatic-speech-recognition"}, {"moonshine", "automatic-speech-recognition"},
      {"speech_to_text", "automatic-speech-recognition"}, {"wav2vec2", "automatic-speech-recognition"},
      {"hubert", "automatic-speech-recognition"}, {"clip", "zero-shot-image-classification"},
      {"siglip", "zero-shot-image-classification"}, {"clap", "zero-shot-audio-classification"},
      {"vit", "image-classification"}, {"deit", "image-classification"}, {"beit", "image-classification"},
      {"convnext", "image-classification"}, {"resnet", "image-classification"}, {"swin", "image-classification"},
      {"mobilenet_v2", "image-classification"}, {"efficientnet", "image-classification"},
      {"dinov2", "image-feature-extraction"}, {"detr", "object-detection"}, {"yolos", "object-detection"},
      {"segformer", "image-segmentation"}, {"dpt", "depth-estimation"}, {"depth_anything", "depth-estimation"},
      {"sam", "mask-generation"}, {"vits", "text-to-audio"}, {"speecht5", "text-to-audio"},
      {"vision-encoder-decoder", "image-to-text"}, {"trocr", "image-to-text"},
  };
  return t;
}

const std::vector<Pair>& task_aliases() {
  static const std::vector<Pair> t = {
      {"sentiment-analysis", "text-classification"}, {"ner", "token-classification"},
      {"text-to-speech", "text-to-audio"}, {"sentence-similarity", "feature-extraction"},
      {"embeddings", "feature-extraction"}, {"asr", "automatic-speech-recognition"},
      {"vqa", "visual-question-answering"}, {"text-ranking", "text-classification"},
  };
  return t;
}

const std::vector<std::vector<std::string_view>>& task_families() {
  static const std::vector<std::vector<std::string_view>> t = {
      {"text-classification", "zero-shot-classification"},
      {"text2text-generation", "summarization", "translation"},
      {"feature-extraction", "image-feature-extraction", "zero-shot-image-classification", "zero-shot-audio-classification"},
      {"image-segmentation", "background-removal", "image-to-image"},
      {"image-to-text", "image-text-to-text", "visual-question-answering"},
      {"text-generation", "image-text-to-text"},
  };
  return t;
}

namespace {
bool contains(std::initializer_list<std::string_view> list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}
}  // namespace

bool is_audio_model_type(std::string_view m) {
  return contains({"wav2vec2", "wav2vec2-bert", "wav2vec2-conformer", "hubert", "wavlm", "unispeech", "unispeech-sat",
                   "sew", "sew-d", "data2vec-audio", "audio-spectrogram-transformer", "whisper", "speech_to_text",
                   "speecht5", "moonshine", "clap", "encodec", "mimi", "dac", "snac", "pyannote", "mctct",
                   "seamless_m4t", "seamless_m4t_v2", "univnet", "vits", "musicgen", "bark", "parakeet_ctc",
                   "lite-whisper", "ast", "wespeaker", "voxtral"},
                  m) ||
         m.find("asr") != std::string_view::npos || m.find("speech") != std::string_view::npos ||
         m.find("whisper") != std::string_view::npos;
}

bool is_vision_model_type(std::string_view m) {
  return contains({"vit", "deit", "beit", "dinov2", "dinov2_with_registers", "dinov3_vit", "dinov3_convnext", "convnext",
                   "convnextv2", "swin", "swinv2", "resnet", "mobilenet_v1", "mobilenet_v2", "mobilenet_v3", "mobilevit",
                   "mobilevitv2", "efficientnet", "regnet", "levit", "pvt", "pvt_v2", "segformer", "dpt", "glpn", "bit",
                   "vit_mae", "vit_msn", "vit_hybrid", "data2vec-vision", "focalnet", "hiera", "nat", "dinat",
                   "poolformer", "cvt", "yolos", "detr", "rt_detr", "rt_detr_v2", "d_fine", "conditional_detr",
                   "deformable_detr", "table-transformer", "donut-swin", "depth_anything", "upernet", "sam",
                   "swin2sr", "vitmatte", "vitpose", "textnet", "efficientformer", "fastvit", "mgp-str", "ijepa",
                   "siglip_vision_model", "clip_vision_model", "depth_pro", "sapiens", "dfine"},
                  m);
}

bool is_vlm_model_type(std::string_view m) {
  return contains({"llava", "llava_next", "llava_onevision", "paligemma", "idefics", "idefics2", "idefics3", "smolvlm",
                   "qwen2_vl", "qwen2_5_vl", "qwen3_vl", "qwen3_5", "gemma3", "gemma3n", "mllama", "florence2",
                   "mistral3", "llama4", "pixtral", "aya_vision", "internvl", "janus", "llava_qwen2", "moondream1",
                   "phi3_v", "fastvlm", "lfm2_vl", "blip-2", "kosmos-2", "git", "pix2struct", "chameleon",
                   "gemma4", "qwen3_vl_moe", "qwen3_5_moe"},
                  m) ||
         m.find("_vl") != std::string_view::npos || m.find("ocr") != std::string_view::npos;
}

bool is_translation_model_type(std::string_view m) {
  return contains({"marian", "m2m_100", "nllb-moe", "fsmt"}, m);
}

}  // namespace modelexport::metadata::task_table
